package org.vtpmmigrate.protocol.wire;

import java.nio.charset.StandardCharsets;

/**
 * The run ended: a reason code (see {@code FailureReason#code()}) and a detail for the peer's
 * operator. Not authenticated: it can end a run (as a cut cable can) but never makes a host commit.
 */
public record Abort(int reasonCode, String detail) implements Message {
    public Abort {
        Require.u16("reasonCode", reasonCode);
        java.util.Objects.requireNonNull(detail, "detail");
        if (detail.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ABORT_DETAIL_LENGTH) {
            throw new IllegalArgumentException("detail: longer than " + Limits.MAX_ABORT_DETAIL_LENGTH + " UTF-8 bytes");
        }
        if (detail.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("detail: contains control characters");
        }
    }

    /** An Abort whose detail is made safe and short enough for the wire. */
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
