package org.vtpmmigrate.tpm.internal;

import java.util.Arrays;

import org.vtpmmigrate.tpm.TpmException;

/**
 * A TPM response exactly as received, for taking marshalled structures out byte for byte
 * (re-marshalling TSS.Java's parsed objects could differ from what the TPM signed or hashed).
 */
final class RawResponse {

    private static final int TPM_ST_SESSIONS = 0x8002;

    private final String operation;
    private final byte[] bytes;

    RawResponse(String operation, byte[] bytes) {
        this.operation = operation;
        this.bytes = bytes;
    }

    int responseCode() {
        return FramedTpmDevice.readUint32(bytes, 6);
    }

    /** The first response handle (the new object or session of CreatePrimary, Load, StartAuthSession). */
    int responseHandle() throws TpmException {
        Reader reader = new Reader(FramedTpmDevice.HEADER_SIZE, bytes.length);
        return reader.uint32("response handle");
    }

    /**
     * The parameter area, after {@code responseHandles} handles and, for a response with sessions,
     * the 4-byte parameterSize.
     */
    Reader parameters(int responseHandles) throws TpmException {
        Reader reader = new Reader(FramedTpmDevice.HEADER_SIZE, bytes.length);
        reader.skip(4 * responseHandles, "response handles");
        int tag = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
        if (tag == TPM_ST_SESSIONS) {
            long parameterSize = reader.uint32("parameterSize") & 0xFFFFFFFFL;
            if (parameterSize > reader.remaining()) {
                throw reader.malformed("parameterSize " + parameterSize + " exceeds the " + reader.remaining()
                        + " bytes left");
            }
            return new Reader(reader.position, reader.position + (int) parameterSize);
        }
        return reader;
    }

    /** Sequential, bounds-checked reading of a slice of the response. */
    final class Reader {
        private int position;
        private final int end;

        private Reader(int start, int end) {
            this.position = start;
            this.end = end;
        }

        int remaining() {
            return end - position;
        }

        /** A TPM2B: returns the 2-byte size and the content, as on the wire. */
        byte[] sizedWithPrefix(String field) throws TpmException {
            int start = position;
            int size = uint16(field + " size");
            skip(size, field);
            return Arrays.copyOfRange(bytes, start, position);
        }

        /** A TPM2B: returns the content only. */
        byte[] sizedContent(String field) throws TpmException {
            int size = uint16(field + " size");
            int start = position;
            skip(size, field);
            return Arrays.copyOfRange(bytes, start, position);
        }

        /** Fails unless the slice has been read completely. */
        void requireEnd(String structure) throws TpmException {
            if (position != end) {
                throw malformed((end - position) + " unexpected bytes after " + structure);
            }
        }

        /** Everything left in this slice. */
        byte[] rest() {
            byte[] rest = Arrays.copyOfRange(bytes, position, end);
            position = end;
            return rest;
        }

        int uint8(String field) throws TpmException {
            require(1, field);
            return bytes[position++] & 0xFF;
        }

        int uint16(String field) throws TpmException {
            require(2, field);
            int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
            position += 2;
            return value;
        }

        int uint32(String field) throws TpmException {
            require(4, field);
            int value = FramedTpmDevice.readUint32(bytes, position);
            position += 4;
            return value;
        }

        void skip(int count, String field) throws TpmException {
            require(count, field);
            position += count;
        }

        private void require(int count, String field) throws TpmException {
            if (count > end - position) {
                throw malformed(field + " needs " + count + " bytes at offset " + position + " but only "
                        + (end - position) + " remain");
            }
        }

        TpmException malformed(String detail) {
            return new TpmException(TpmException.Kind.MALFORMED_RESPONSE, operation, "response of " + bytes.length
                    + " bytes: " + detail, null);
        }
    }
}
