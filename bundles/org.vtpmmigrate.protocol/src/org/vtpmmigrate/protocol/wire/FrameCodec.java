package org.vtpmmigrate.protocol.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.vtpmmigrate.protocol.wire.MalformedFrameException.Problem;

/**
 * The binary frame format of protocol version 1. A frame is
 *
 * <pre>
 *   magic "VTMG" (4) | version u16 | type u16 | body length u32 | body
 * </pre>
 *
 * all big-endian. Body fields: integers of fixed width, byte strings as u32 length + bytes, strings
 * as u16 length + UTF-8, lists as u16 count + entries; every length and count has a bound. The
 * decoder is strict (no trailing bytes, canonical order, valid UTF-8), so a frame it accepts is
 * exactly what {@link #encode} produces for the decoded message: both ends hash the same bytes
 * into the transcript.
 */
public final class FrameCodec {
    /** "VTMG". */
    public static final int MAGIC = 0x56544D47;
    /** The only version this implementation speaks. */
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 12;

    private FrameCodec() {
    }

    /** Encodes a message as one complete frame. */
    public static byte[] encode(Message message) {
        WireWriter w = new WireWriter();
        writeBody(message, w);
        byte[] frame = new byte[HEADER_LENGTH + w.size()];
        ByteBuffer out = ByteBuffer.wrap(frame);
        putHeader(out, message.type(), w.size());
        out.put(w.array(), 0, w.size());
        return frame;
    }

    /**
     * Writes the header and fixed fields of a DATA_RECORD frame, leaving {@code sealedLength} bytes
     * of ciphertext and tag to be written next: the record layer seals straight into the frame.
     */
    public static void putDataRecordPrefix(ByteBuffer out, long sequence, RecordType recordType, int sealedLength) {
        putHeader(out, MessageType.DATA_RECORD, Limits.DATA_RECORD_PREFIX + sealedLength);
        out.putLong(sequence);
        out.put((byte) recordType.code());
        out.putInt(sealedLength);
    }

    private static void putHeader(ByteBuffer out, MessageType type, int bodyLength) {
        out.putInt(MAGIC);
        out.putShort((short) VERSION);
        out.putShort((short) type.code());
        out.putInt(bodyLength);
    }

    /**
     * Validates the 12-byte header at the buffer's position (the position does not move): magic,
     * version, type, and body length within the type's bound.
     */
    public static FrameHeader decodeHeader(ByteBuffer buffer) throws MalformedFrameException {
        ByteBuffer in = buffer.duplicate();
        if (in.remaining() < HEADER_LENGTH) {
            throw new MalformedFrameException(Problem.TRUNCATED, null, null, in.remaining(),
                    "frame ends after " + in.remaining() + " of " + HEADER_LENGTH + " header bytes");
        }
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new MalformedFrameException(Problem.BAD_MAGIC, null, null, 0,
                    String.format("not a vTPM Migrate frame: magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = in.getShort() & 0xFFFF;
        if (version != VERSION) {
            throw new MalformedFrameException(Problem.UNSUPPORTED_VERSION, null, null, 4,
                    "unsupported protocol version " + version + " (supported: " + VERSION + ")");
        }
        int code = in.getShort() & 0xFFFF;
        MessageType type = MessageType.fromCode(code).orElseThrow(() -> new MalformedFrameException(
                Problem.UNKNOWN_TYPE, null, null, 6, "unknown message type " + MessageType.hex(code)));
        long length = in.getInt() & 0xFFFFFFFFL;
        if (length > type.maxBodyLength()) {
            throw new MalformedFrameException(Problem.OVERSIZED, type, null, 8, type + " body of " + length
                    + " bytes exceeds the limit of " + type.maxBodyLength());
        }
        return new FrameHeader(version, type, (int) length);
    }

    /**
     * Decodes exactly one frame: the buffer must hold the whole frame and nothing after it. Its
     * position does not move. DATA_RECORD ciphertext is returned as a view of the buffer, not a copy.
     */
    public static Message decode(ByteBuffer frame) throws MalformedFrameException {
        FrameHeader header = decodeHeader(frame);
        ByteBuffer in = frame.duplicate();
        int available = in.remaining() - HEADER_LENGTH;
        if (available < header.bodyLength()) {
            throw new MalformedFrameException(Problem.TRUNCATED, header.type(), null, in.remaining(),
                    header.type() + " frame ends after " + available + " of " + header.bodyLength() + " body bytes");
        }
        if (available > header.bodyLength()) {
            throw new MalformedFrameException(Problem.TRAILING_BYTES, header.type(), null,
                    header.frameLength(), (available - header.bodyLength()) + " bytes after the end of the "
                            + header.type() + " frame");
        }
        in.position(in.position() + HEADER_LENGTH);
        ByteBuffer body = in.slice();
        WireReader r = new WireReader(body, header.type());
        Message m = readBody(header.type(), r);
        r.end();
        return m;
    }

    /** Convenience for {@link #decode(ByteBuffer)} on an array holding one frame. */
    public static Message decode(byte[] frame) throws MalformedFrameException {
        return decode(ByteBuffer.wrap(frame));
    }

    private static void writeBody(Message message, WireWriter w) {
        if (message instanceof MigrationRequest m) {
            w.bytes(m.migrationId());
            w.string(m.vmId());
            w.string(m.policyId());
            w.bytes(m.policyDigest());
            w.u64(m.vtpmEpoch());
            writeSuites(m.offeredSuites(), w);
        } else if (message instanceof MigrationAccept m) {
            w.u16(m.chosenSuite());
            writeSuites(m.offerAsReceived(), w);
        } else if (message instanceof AttestationChallenge m) {
            w.bytes(m.nonce());
            w.u8(m.selection().banks().size());
            for (PcrSelection.Bank b : m.selection().banks()) {
                w.u16(b.hashAlgorithm());
                w.u32(b.pcrMask());
            }
        } else if (message instanceof AttestationEvidence m) {
            w.bytes(m.quote());
            w.bytes(m.signature());
            w.u16(m.pcrValues().size());
            for (PcrValue v : m.pcrValues()) {
                w.u16(v.hashAlgorithm());
                w.u8(v.index());
                w.bytes(v.digest());
            }
            w.bytes(m.eventLog());
            w.bytes(m.imaLog());
            w.u16(m.launchMeasurements().size());
            for (LaunchMeasurement l : m.launchMeasurements()) {
                w.string(l.name());
                w.u16(l.hashAlgorithm());
                w.bytes(l.digest());
            }
        } else if (message instanceof BoundKeyOffer m) {
            w.bytes(m.publicArea());
            w.bytes(m.certifyInfo());
            w.bytes(m.certifySignature());
        } else if (message instanceof KeyExchange m) {
            w.bytes(m.ephemeralPublicKey());
        } else if (message instanceof KeyConfirm m) {
            w.bytes(m.mac());
        } else if (message instanceof DataRecord m) {
            w.u64(m.sequence());
            w.u8(m.recordType().code());
            w.bytes(m.sealed());
        } else if (message instanceof EndOfStream m) {
            w.u64(m.sequence());
            w.bytes(m.sealed());
        } else if (message instanceof Commit m) {
            w.u64(m.recordCount());
            w.u64(m.payloadBytes());
            w.bytes(m.streamDigest());
            w.bytes(m.signature());
        } else if (message instanceof CommitAck m) {
            w.bytes(m.mac());
        } else if (message instanceof Abort m) {
            w.u16(m.reasonCode());
            w.string(m.detail());
            w.bytes(m.mac());
        } else {
            throw new IllegalArgumentException("no encoding for " + message.getClass());
        }
    }

    private static void writeSuites(List<Integer> suites, WireWriter w) {
        w.u16(suites.size());
        for (int s : suites) {
            w.u16(s);
        }
    }

    private static Message readBody(MessageType type, WireReader r) throws MalformedFrameException {
        int start = r.offset();
        switch (type) {
            case MIGRATION_REQUEST: {
                Bytes id = r.bytes("migrationId", Limits.MIGRATION_ID_LENGTH);
                String vm = r.string("vmId", Limits.MAX_NAME_LENGTH);
                String policy = r.string("policyId", Limits.MAX_NAME_LENGTH);
                Bytes digest = r.bytes("policyDigest", Limits.MAX_DIGEST_LENGTH);
                long epoch = r.u64("vtpmEpoch");
                List<Integer> suites = readSuites("offeredSuites", r);
                return r.build("body", start, () -> new MigrationRequest(id, vm, policy, digest, epoch, suites));
            }
            case MIGRATION_ACCEPT: {
                int chosen = r.u16("chosenSuite");
                List<Integer> suites = readSuites("offerAsReceived", r);
                return r.build("body", start, () -> new MigrationAccept(chosen, suites));
            }
            case ATTESTATION_CHALLENGE: {
                Bytes nonce = r.bytes("nonce", Limits.NONCE_LENGTH);
                PcrSelection selection = readSelection(r);
                return r.build("body", start, () -> new AttestationChallenge(nonce, selection));
            }
            case ATTESTATION_EVIDENCE:
                return readEvidence(r, start);
            case BOUND_KEY_OFFER: {
                Bytes pub = r.bytes("publicArea", Limits.MAX_PUBLIC_AREA_LENGTH);
                Bytes info = r.bytes("certifyInfo", Limits.MAX_ATTEST_LENGTH);
                Bytes sig = r.bytes("certifySignature", Limits.MAX_SIGNATURE_LENGTH);
                return r.build("body", start, () -> new BoundKeyOffer(pub, info, sig));
            }
            case KEY_EXCHANGE: {
                Bytes share = r.bytes("ephemeralPublicKey", Limits.MAX_KEY_SHARE_LENGTH);
                return r.build("body", start, () -> new KeyExchange(share));
            }
            case KEY_CONFIRM: {
                Bytes mac = r.bytes("mac", Limits.MAC_LENGTH);
                return r.build("body", start, () -> new KeyConfirm(mac));
            }
            case DATA_RECORD: {
                long seq = r.u64("sequence");
                int typeAt = r.offset();
                int code = r.u8("recordType");
                RecordType recordType = RecordType.fromCode(code).orElseThrow(
                        () -> r.invalid("recordType", typeAt, "unknown record type " + code));
                ByteBuffer sealed = r.view("sealed", Limits.MAX_SEALED_RECORD);
                return r.build("sealed", typeAt + 1, () -> new DataRecord(seq, recordType, sealed));
            }
            case END_OF_STREAM: {
                long seq = r.u64("sequence");
                Bytes sealed = r.bytes("sealed", EndOfStream.SEALED_LENGTH);
                return r.build("body", start, () -> new EndOfStream(seq, sealed));
            }
            case COMMIT: {
                long count = r.u64("recordCount");
                long bytes = r.u64("payloadBytes");
                Bytes digest = r.bytes("streamDigest", Limits.DIGEST_LENGTH);
                Bytes sig = r.bytes("signature", Limits.MAX_SIGNATURE_LENGTH);
                return r.build("body", start, () -> new Commit(count, bytes, digest, sig));
            }
            case COMMIT_ACK: {
                Bytes mac = r.bytes("mac", Limits.MAC_LENGTH);
                return r.build("body", start, () -> new CommitAck(mac));
            }
            case ABORT: {
                int code = r.u16("reasonCode");
                String detail = r.string("detail", Limits.MAX_ABORT_DETAIL_LENGTH);
                Bytes mac = r.bytes("mac", Limits.MAC_LENGTH);
                return r.build("body", start, () -> new Abort(code, detail, mac));
            }
            default:
                throw new AssertionError(type);
        }
    }

    private static List<Integer> readSuites(String field, WireReader r) throws MalformedFrameException {
        int n = r.count(field, Limits.MAX_OFFERED_SUITES);
        List<Integer> suites = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            suites.add(r.u16(field + "[" + i + "]"));
        }
        return suites;
    }

    private static PcrSelection readSelection(WireReader r) throws MalformedFrameException {
        int start = r.offset();
        int n = r.u8("selection count");
        if (n > Limits.MAX_PCR_BANKS) {
            throw r.invalid("selection", start, "count " + n + " exceeds the limit of " + Limits.MAX_PCR_BANKS);
        }
        List<PcrSelection.Bank> banks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = r.offset();
            int alg = r.u16("selection[" + i + "].hashAlgorithm");
            long mask = r.u32("selection[" + i + "].pcrMask");
            // a mask above 24 bits becomes negative or large as an int; Bank rejects both
            banks.add(r.build("selection[" + i + "]", at, () -> new PcrSelection.Bank(alg, (int) mask)));
        }
        return r.build("selection", start, () -> new PcrSelection(banks));
    }

    private static AttestationEvidence readEvidence(WireReader r, int start) throws MalformedFrameException {
        Bytes quote = r.bytes("quote", Limits.MAX_ATTEST_LENGTH);
        Bytes signature = r.bytes("signature", Limits.MAX_SIGNATURE_LENGTH);
        int n = r.count("pcrValues", Limits.MAX_PCR_VALUES);
        List<PcrValue> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = r.offset();
            int alg = r.u16("pcrValues[" + i + "].hashAlgorithm");
            int index = r.u8("pcrValues[" + i + "].index");
            Bytes digest = r.bytes("pcrValues[" + i + "].digest", Limits.MAX_DIGEST_LENGTH);
            values.add(r.build("pcrValues[" + i + "]", at, () -> new PcrValue(alg, index, digest)));
        }
        Bytes eventLog = r.bytes("eventLog", Limits.MAX_EVENT_LOG_LENGTH);
        Bytes imaLog = r.bytes("imaLog", Limits.MAX_IMA_LOG_LENGTH);
        int m = r.count("launchMeasurements", Limits.MAX_LAUNCH_MEASUREMENTS);
        List<LaunchMeasurement> launch = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            int at = r.offset();
            String name = r.string("launchMeasurements[" + i + "].name", Limits.MAX_NAME_LENGTH);
            int alg = r.u16("launchMeasurements[" + i + "].hashAlgorithm");
            Bytes digest = r.bytes("launchMeasurements[" + i + "].digest", Limits.MAX_DIGEST_LENGTH);
            launch.add(r.build("launchMeasurements[" + i + "]", at, () -> new LaunchMeasurement(name, alg, digest)));
        }
        return r.build("body", start,
                () -> new AttestationEvidence(quote, signature, values, eventLog, imaLog, launch));
    }
}
