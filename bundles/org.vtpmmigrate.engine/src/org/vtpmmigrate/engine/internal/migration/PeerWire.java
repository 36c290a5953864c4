package org.vtpmmigrate.engine.internal.migration;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.vtpmmigrate.tpm.EkType;

/**
 * What engines say to each other besides the protocol's frames. Every connection to the peer port
 * opens with a preface: magic {@code "VTPE"}, version 1, purpose (migration or enrolment) and the
 * connecting host's id (a claim: for a migration the source's quote must verify with the AK enrolled
 * under that id). Enrolment then runs its own short exchange of length-prefixed messages:
 * <pre>
 *  responder -&gt; enroller  IDENTITY(host id, EK type, EK public, EK certificate, AK public)
 *  enroller -&gt; responder  CREDENTIAL_CHALLENGE(credential blob, encrypted secret)
 *  responder -&gt; enroller  CREDENTIAL_RESPONSE(secret)  or  ERROR(text)
 * </pre>
 * Every length is checked against a bound before anything is allocated; a violation is a
 * {@link MalformedPeerMessageException} naming the field and offset.
 */
final class PeerWire {
    static final int MAGIC = 0x56545045;
    static final int VERSION = 1;
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    static final int MAX_BODY = 32 * 1024;
    static final int MAX_PUBLIC_AREA = 2048;
    static final int MAX_CERTIFICATE = 16 * 1024;
    static final int MAX_CREDENTIAL_FIELD = 1024;
    static final int MAX_SECRET = 64;
    static final int MAX_ERROR_TEXT = 1024;

    /** Why a connection was opened. */
    enum Purpose {
        MIGRATION(1),
        ENROLMENT(2);

        final int code;

        Purpose(int code) {
            this.code = code;
        }
    }

    record Preface(Purpose purpose, String hostId) {
    }

    /** Enrolment messages. */
    enum MessageType {
        IDENTITY(1),
        CREDENTIAL_CHALLENGE(2),
        CREDENTIAL_RESPONSE(3),
        ERROR(4);

        final int code;

        MessageType(int code) {
            this.code = code;
        }
    }

    record Identity(String hostId, EkType ekType, byte[] ekPublic, byte[] ekCertificate, byte[] akPublic) {
    }

    record CredentialChallenge(byte[] credentialBlob, byte[] encryptedSecret) {
    }

    /** A message as read: its type and body, parsed by the typed readers below. */
    record Message(MessageType type, ByteBuffer body) {
    }

    /** A peer message that violates the format or its bounds. */
    static final class MalformedPeerMessageException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedPeerMessageException(String message) {
            super(message);
        }
    }

    private PeerWire() {
    }

    static void writePreface(OutputStream out, Preface preface) throws IOException {
        byte[] id = ascii(requireHostId(preface.hostId()));
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 1 + 1 + id.length);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) preface.purpose().code).put((byte) id.length).put(id);
        out.write(b.array());
        out.flush();
    }

    static Preface readPreface(InputStream in) throws IOException {
        byte[] head = readExactly(in, 7, "preface");
        ByteBuffer b = ByteBuffer.wrap(head);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new MalformedPeerMessageException(String.format("preface offset 0: magic 0x%08x is not 'VTPE'"
                    + " (0x%08x): not a vTPM Migrate engine", magic, MAGIC));
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new MalformedPeerMessageException("preface offset 4: version " + version + ", this host speaks "
                    + VERSION);
        }
        int code = b.get() & 0xFF;
        Purpose purpose = null;
        for (Purpose p : Purpose.values()) {
            if (p.code == code) {
                purpose = p;
            }
        }
        if (purpose == null) {
            throw new MalformedPeerMessageException("preface offset 5: unknown purpose " + code);
        }
        int length = b.get() & 0xFF;
        if (length < 1 || length > 63) {
            throw new MalformedPeerMessageException("preface offset 6: host id length " + length + " outside 1..63");
        }
        String hostId = new String(readExactly(in, length, "preface host id"), StandardCharsets.US_ASCII);
        if (!HOST_ID.matcher(hostId).matches()) {
            throw new MalformedPeerMessageException("preface offset 7: host id '" + printable(hostId)
                    + "' is not letters, digits, '.', '_' or '-'");
        }
        return new Preface(purpose, hostId);
    }

    static void writeIdentity(OutputStream out, Identity identity) throws IOException {
        Body body = new Body().string(identity.hostId()).string(identity.ekType().name())
                .bytes(identity.ekPublic()).bytes(identity.ekCertificate()).bytes(identity.akPublic());
        write(out, MessageType.IDENTITY, body);
    }

    static Identity readIdentity(Message message) throws MalformedPeerMessageException {
        Reader r = new Reader(message);
        String hostId = r.string("host id", 63);
        if (!HOST_ID.matcher(hostId).matches()) {
            throw new MalformedPeerMessageException("IDENTITY: host id '" + printable(hostId) + "' is not a host id");
        }
        String ekTypeName = r.string("EK type", 32);
        EkType ekType;
        try {
            ekType = EkType.valueOf(ekTypeName);
        } catch (IllegalArgumentException e) {
            throw new MalformedPeerMessageException("IDENTITY: unknown EK type '" + printable(ekTypeName) + "'");
        }
        Identity identity = new Identity(hostId, ekType, r.bytes("EK public", 1, MAX_PUBLIC_AREA),
                r.bytes("EK certificate", 0, MAX_CERTIFICATE), r.bytes("AK public", 1, MAX_PUBLIC_AREA));
        r.end();
        return identity;
    }

    static void writeChallenge(OutputStream out, CredentialChallenge challenge) throws IOException {
        write(out, MessageType.CREDENTIAL_CHALLENGE,
                new Body().bytes(challenge.credentialBlob()).bytes(challenge.encryptedSecret()));
    }

    static CredentialChallenge readChallenge(Message message) throws MalformedPeerMessageException {
        Reader r = new Reader(message);
        CredentialChallenge c = new CredentialChallenge(r.bytes("credential blob", 1, MAX_CREDENTIAL_FIELD),
                r.bytes("encrypted secret", 1, MAX_CREDENTIAL_FIELD));
        r.end();
        return c;
    }

    static void writeResponse(OutputStream out, byte[] secret) throws IOException {
        write(out, MessageType.CREDENTIAL_RESPONSE, new Body().bytes(secret));
    }

    static byte[] readResponse(Message message) throws MalformedPeerMessageException {
        Reader r = new Reader(message);
        byte[] secret = r.bytes("secret", 1, MAX_SECRET);
        r.end();
        return secret;
    }

    static void writeError(OutputStream out, String text) throws IOException {
        String clean = printable(text);
        write(out, MessageType.ERROR, new Body().string(clean.length() > MAX_ERROR_TEXT
                ? clean.substring(0, MAX_ERROR_TEXT) : clean));
    }

    static String readError(Message message) throws MalformedPeerMessageException {
        Reader r = new Reader(message);
        String text = r.string("error text", MAX_ERROR_TEXT);
        r.end();
        return printable(text);
    }

    /** Reads one enrolment message: type u8, body length u32, body. */
    static Message read(InputStream in) throws IOException {
        ByteBuffer head = ByteBuffer.wrap(readExactly(in, 5, "message header"));
        int code = head.get() & 0xFF;
        MessageType type = null;
        for (MessageType t : MessageType.values()) {
            if (t.code == code) {
                type = t;
            }
        }
        if (type == null) {
            throw new MalformedPeerMessageException("message header offset 0: unknown message type " + code);
        }
        long length = head.getInt() & 0xFFFFFFFFL;
        if (length > MAX_BODY) {
            throw new MalformedPeerMessageException(type + " body of " + length + " bytes exceeds " + MAX_BODY);
        }
        return new Message(type, ByteBuffer.wrap(readExactly(in, (int) length, type + " body")));
    }

    /** The message, which must be of type {@code expected}; an ERROR becomes the peer's error text. */
    static Message expect(InputStream in, MessageType expected) throws IOException {
        Message m = read(in);
        if (m.type() == MessageType.ERROR && expected != MessageType.ERROR) {
            throw new PeerErrorException(readError(m));
        }
        if (m.type() != expected) {
            throw new MalformedPeerMessageException("expected " + expected + ", got " + m.type());
        }
        return m;
    }

    /** The peer answered with an ERROR message. */
    static final class PeerErrorException extends IOException {
        private static final long serialVersionUID = 1L;

        PeerErrorException(String text) {
            super(text);
        }
    }

    private static void write(OutputStream out, MessageType type, Body body) throws IOException {
        byte[] bytes = body.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(5 + bytes.length);
        b.put((byte) type.code).putInt(bytes.length).put(bytes);
        out.write(b.array());
        out.flush();
    }

    private static byte[] readExactly(InputStream in, int length, String what) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length < length) {
            throw new EOFException(what + " ended after " + b.length + " of " + length + " bytes");
        }
        return b;
    }

    static String requireHostId(String hostId) {
        if (hostId == null || !HOST_ID.matcher(hostId).matches()) {
            throw new IllegalArgumentException("host id '" + hostId + "' must match " + HOST_ID.pattern());
        }
        return hostId;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Non-printable characters replaced, so peer text is safe in logs. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return out.toString();
    }

    /** Body writer: u16-length-prefixed fields. */
    private static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body bytes(byte[] value) {
            if (value.length > 0xFFFF) {
                throw new IllegalArgumentException("field of " + value.length + " bytes is too long");
            }
            out.write(value.length >>> 8);
            out.write(value.length);
            out.writeBytes(value);
            return this;
        }

        Body string(String value) {
            return bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Body reader with bounds per field. */
    private static final class Reader {
        private final MessageType type;
        private final ByteBuffer body;

        Reader(Message message) {
            this.type = message.type();
            this.body = message.body().duplicate();
        }

        byte[] bytes(String field, int min, int max) throws MalformedPeerMessageException {
            int offset = body.position();
            try {
                int length = body.getShort() & 0xFFFF;
                if (length < min || length > max) {
                    throw new MalformedPeerMessageException(type + " offset " + offset + ": " + field + " of " + length
                            + " bytes, allowed " + min + ".." + max);
                }
                byte[] value = new byte[length];
                body.get(value);
                return value;
            } catch (BufferUnderflowException e) {
                throw new MalformedPeerMessageException(type + " offset " + offset + ": " + field
                        + " runs past the end of the " + body.limit() + "-byte body");
            }
        }

        String string(String field, int max) throws MalformedPeerMessageException {
            return new String(bytes(field, 0, max), StandardCharsets.UTF_8);
        }

        void end() throws MalformedPeerMessageException {
            if (body.hasRemaining()) {
                throw new MalformedPeerMessageException(type + " offset " + body.position() + ": " + body.remaining()
                        + " unexpected bytes after the last field");
            }
        }
    }
}
