package org.vtpmmigrate.attest.eventlog.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * Text and identifiers as UEFI firmware writes them into event data: EFI_GUIDs (first three
 * fields little-endian), CHAR16 strings (UTF-16LE), and free-form strings that are ASCII in some
 * firmware and UCS-2 in other (EV_IPL from systemd-boot, EV_S_CRTM_VERSION).
 */
public final class EfiText {
    private EfiText() {
    }

    /** An EFI_GUID at {@code off} (16 bytes) as the usual 8-4-4-4-12 UUID. */
    public static UUID guid(byte[] b, int off) {
        long d1 = (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16
                | (b[off + 3] & 0xFFL) << 24;
        long d2 = (b[off + 4] & 0xFFL) | (b[off + 5] & 0xFFL) << 8;
        long d3 = (b[off + 6] & 0xFFL) | (b[off + 7] & 0xFFL) << 8;
        long msb = d1 << 32 | d2 << 16 | d3;
        long lsb = 0;
        for (int i = 8; i < 16; i++) {
            lsb = lsb << 8 | (b[off + i] & 0xFFL);
        }
        return new UUID(msb, lsb);
    }

    /**
     * A CHAR16 string of {@code byteLength} bytes, cut at the first NUL character; empty when
     * the bytes are not valid UTF-16LE (an unpaired surrogate) or contain control characters.
     */
    public static Optional<String> ucs2(byte[] b, int off, int byteLength) {
        if (byteLength % 2 != 0) {
            return Optional.empty();
        }
        int len = byteLength;
        for (int i = 0; i + 1 < byteLength; i += 2) {
            if (b[off + i] == 0 && b[off + i + 1] == 0) {
                len = i;
                break;
            }
        }
        return strict(StandardCharsets.UTF_16LE.newDecoder(), b, off, len).filter(EfiText::printable);
    }

    /**
     * Event data that firmware or a boot loader wrote as a human-readable string: UTF-16LE when
     * it looks like it (every second byte zero for the first characters), otherwise UTF-8/ASCII.
     * Trailing NULs are dropped. Empty when the bytes are not printable text.
     */
    public static Optional<String> text(byte[] data) {
        int len = data.length;
        if (len == 0) {
            return Optional.empty();
        }
        if (looksLikeUtf16le(data)) {
            return ucs2(data, 0, len - (len % 2)).filter(s -> !s.isEmpty());
        }
        while (len > 0 && data[len - 1] == 0) {
            len--;
        }
        if (len == 0) {
            return Optional.empty();
        }
        return strict(StandardCharsets.UTF_8.newDecoder(), data, 0, len).filter(EfiText::printable);
    }

    private static boolean looksLikeUtf16le(byte[] data) {
        if (data.length < 4) {
            return false;
        }
        int pairs = Math.min(data.length / 2, 8);
        for (int i = 0; i < pairs; i++) {
            byte lo = data[2 * i];
            byte hi = data[2 * i + 1];
            if (hi != 0 || (lo == 0 && i == 0)) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> strict(CharsetDecoder decoder, byte[] b, int off, int len) {
        decoder.onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer out = decoder.decode(ByteBuffer.wrap(b, off, len));
            return Optional.of(out.toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** No control characters other than tab and line breaks: a string, not a binary structure. */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }
}
