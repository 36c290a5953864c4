package org.vtpmmigrate.protocol.wire;

import java.nio.charset.StandardCharsets;

/**
 * The run ended: a reason code (see {@code FailureReason#code()}) and a detail for the peer's
 * operator. Before key confirmation it is unauthenticated (it can end a run, as a cut cable can, but
 * never makes a host commit); after it, {@code mac} is the sender's HMAC over the handshake and the
 * abort, so the receiver can tell a real "no" from a forged one.
 */
public record Abort(int reasonCode, String detail, Bytes mac) implements Message {
    public Abort {
        java.util.Objects.requireNonNull(mac, "mac");
        if (!mac.isEmpty() && mac.length() != Limits.MAC_LENGTH) {
            throw new IllegalArgumentException("mac: " + mac.length() + " bytes, expected 0 or " + Limits.MAC_LENGTH);
        }
        Require.u16("reasonCode", reasonCode);
        java.util.Objects.requireNonNull(detail, "detail");
        if (detail.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ABORT_DETAIL_LENGTH) {
            throw new IllegalArgumentException("detail: longer than " + Limits.MAX_ABORT_DETAIL_LENGTH + " UTF-8 bytes");
        }
        if (detail.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("detail: contains control characters");
        }
    }

    /** An unauthenticated Abort. */
    public Abort(int reasonCode, String detail) {
        this(reasonCode, detail, Bytes.EMPTY);
    }

    /** The same Abort with a MAC. */
    public Abort withMac(Bytes mac) {
        return new Abort(reasonCode, detail, mac);
    }

    /** An unauthenticated Abort whose detail is made safe and short enough for the wire. */
    public static Abort of(int reasonCode, String detail) {
        String clean = Require.printable(detail == null ? "" : detail);
        byte[] utf8 = clean.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Limits.MAX_ABORT_DETAIL_LENGTH) {
            int end = Limits.MAX_ABORT_DETAIL_LENGTH - 3;
            while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
                end--; // do not cut a multi-byte character
            }
            clean = new String(utf8, 0, end, StandardCharsets.UTF_8) + "...";
        }
        return new Abort(reasonCode, clean);
    }

    @Override
    public MessageType type() {
        return MessageType.ABORT;
    }
}
