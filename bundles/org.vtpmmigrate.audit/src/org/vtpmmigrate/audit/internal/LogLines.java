package org.vtpmmigrate.audit.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.vtpmmigrate.audit.AuditLogException;

/** Splits a log file into lines: bounded in length and number, strictly UTF-8, the last one possibly torn. */
public final class LogLines {

    /**
     * One line of the file.
     *
     * @param length bytes including the newline
     * @param text the decoded line without its newline, or null when {@code problem} says why not
     * @param terminated false for a last line without newline (an interrupted write)
     */
    public record RawLine(int number, long offset, int length, String text, boolean terminated, String problem) {
    }

    private LogLines() {
    }

    /**
     * @throws AuditLogException if the file has more than {@code maxLines} lines
     */
    public static List<RawLine> split(String source, byte[] data, int maxLineBytes, int maxLines)
            throws AuditLogException {
        List<RawLine> lines = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            if (lines.size() == maxLines) {
                throw new AuditLogException(source + ": more than " + maxLines + " lines (the verifier's limit)");
            }
            int end = pos;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            boolean terminated = end < data.length;
            int contentLength = end - pos;
            int length = contentLength + (terminated ? 1 : 0);
            int number = lines.size() + 1;
            if (contentLength + 1 > maxLineBytes) {
                lines.add(new RawLine(number, pos, length, null, terminated, "line of " + length
                        + " bytes exceeds the limit of " + maxLineBytes + " bytes per record"));
            } else {
                DecodedOrError d = decode(data, pos, contentLength);
                lines.add(new RawLine(number, pos, length, d.text, terminated, d.error));
            }
            pos = end + 1;
        }
        return lines;
    }

    private record DecodedOrError(String text, String error) {
    }

    private static DecodedOrError decode(byte[] data, int from, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data, from, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            return new DecodedOrError(null, "invalid UTF-8 at byte " + (in.position() - from + 1) + " of the line");
        }
        return new DecodedOrError(out.flip().toString(), null);
    }
}
