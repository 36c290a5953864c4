package org.vtpmmigrate.tpm.internal;

import java.io.IOException;

import org.vtpmmigrate.tpm.TpmException;

import tss.TpmDevice;

/**
 * A TSS.Java device that exchanges whole TPM 2.0 command and response frames (10-byte header, the
 * total size at bytes 2..5) and enforces what every transport needs: a size bound checked before
 * the body is read, a limit on consecutive TPM_RC_RETRY answers (TSS.Java would resend forever),
 * and refusal to continue after a failure left the stream at an unknown position.
 */
abstract class FramedTpmDevice extends TpmDevice {

    static final int HEADER_SIZE = 10;
    private static final int TPM_RC_RETRY = 0x922;
    private static final int MAX_CONSECUTIVE_RETRIES = 32;

    private final String description;
    private final int maxResponseBytes;
    private byte[] pendingResponse;
    private int pendingCommandCode;
    private int consecutiveRetries;
    private String brokenReason;

    FramedTpmDevice(String description, int maxResponseBytes) {
        this.description = description;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** Opens the transport. */
    abstract void open() throws IOException;

    /** Sends one complete command frame. */
    abstract void writeFrame(byte[] command) throws IOException;

    /**
     * Reads one complete response frame of at most {@code maxResponseBytes}, validating the announced
     * size with {@link #announcedSize(byte[])} before reading the body.
     */
    abstract byte[] readFrame(int maxResponseBytes) throws IOException;

    /** Closes the transport, quietly. */
    abstract void closeQuietly();

    final String description() {
        return description;
    }

    @Override
    public final boolean connect() {
        return true;
    }

    @Override
    public final void dispatchCommand(byte[] command) {
        if (brokenReason != null) {
            throw new TransportFailure(TpmException.Kind.TRANSPORT, "connection to " + description
                    + " is unusable after an earlier failure (" + brokenReason + ")", null);
        }
        pendingCommandCode = command.length >= HEADER_SIZE ? readUint32(command, 6) : 0;
        try {
            writeFrame(command);
            pendingResponse = readFrame(maxResponseBytes);
        } catch (IOException e) {
            throw fail(TpmException.Kind.TRANSPORT, describe(e), e);
        } catch (TransportFailure e) {
            brokenReason = e.getMessage();
            closeQuietly();
            throw e;
        }
        consecutiveRetries = readUint32(pendingResponse, 6) == TPM_RC_RETRY ? consecutiveRetries + 1 : 0;
        if (consecutiveRetries > MAX_CONSECUTIVE_RETRIES) {
            consecutiveRetries = 0;
            throw new TransportFailure(TpmException.Kind.TRANSPORT, description + " answered TPM_RC_RETRY "
                    + MAX_CONSECUTIVE_RETRIES + " times in a row to command code 0x"
                    + Integer.toHexString(pendingCommandCode), null);
        }
    }

    @Override
    public final byte[] getResponse() {
        byte[] response = pendingResponse;
        pendingResponse = null;
        if (response == null) {
            throw new TransportFailure(TpmException.Kind.TRANSPORT, "no response pending from " + description, null);
        }
        return response;
    }

    @Override
    public final boolean responseReady() {
        return pendingResponse != null;
    }

    @Override
    public final void close() {
        closeQuietly();
    }

    /**
     * Checks a response header and returns the total response size it announces.
     *
     * @throws TransportFailure of kind MALFORMED_RESPONSE if the size is below the header size or
     *         above the bound
     */
    final int announcedSize(byte[] header) {
        long size = readUint32(header, 2) & 0xFFFFFFFFL;
        if (size < HEADER_SIZE || size > maxResponseBytes) {
            throw new TransportFailure(TpmException.Kind.MALFORMED_RESPONSE, description
                    + " announced a response of " + size + " bytes to command code 0x"
                    + Integer.toHexString(pendingCommandCode) + "; accepted are " + HEADER_SIZE + " to "
                    + maxResponseBytes, null);
        }
        return (int) size;
    }

    /** Marks the device unusable and closes it: the stream position is unknown after a failure. */
    final TransportFailure fail(TpmException.Kind kind, String message, Throwable cause) {
        brokenReason = message;
        closeQuietly();
        return new TransportFailure(kind, message, cause);
    }

    /** A message for an I/O failure during the current command. */
    String describe(IOException e) {
        return "I/O failure with " + description + " during command code 0x" + Integer.toHexString(pendingCommandCode)
                + ": " + e;
    }

    final int pendingCommandCode() {
        return pendingCommandCode;
    }

    static int readUint32(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16) | ((bytes[offset + 2] & 0xFF) << 8)
                | (bytes[offset + 3] & 0xFF);
    }
}
