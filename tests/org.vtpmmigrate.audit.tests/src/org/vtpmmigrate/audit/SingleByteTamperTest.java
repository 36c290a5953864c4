package org.vtpmmigrate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every single byte of a record line, changed, is detected on that line; a changed character
 * inside a field's value is reported with that field's name and the record's sequence number.
 * The field a position belongs to is worked out here by scanning the line's JSON, independently
 * of the code under test.
 */
class SingleByteTamperTest {
    @TempDir
    Path dir;

    /**
     * Each line of a short log (every line is checked against all the others, and each check
     * verifies every signature): the header, a verdict with reasons, a transfer with rounds and
     * byte counts.
     */
    @ParameterizedTest(name = "line {0}")
    @ValueSource(ints = {1, 2, 3})
    void everyChangedByteIsFoundOnItsLineAndNamed(int lineNumber) throws Exception {
        SoftwareAk ak = SoftwareAk.create();
        Path file = dir.resolve("log");
        List<AuditEvent> migration = TestLogs.sourceMigration("mig-7", "host-b", TestLogs.START);
        try (AuditLogWriter w = AuditLogWriter.open(file, "host-a", ak, new byte[0],
                new TestLogs.SteppingClock(TestLogs.START, 3))) {
            w.append(migration.get(1));
            w.append(migration.get(4));
        }
        byte[] original = Files.readAllBytes(file);
        List<String> lines = TestLogs.lines(file);
        int lineStart = 0;
        for (int i = 0; i < lineNumber - 1; i++) {
            lineStart += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        byte[] line = lines.get(lineNumber - 1).getBytes(StandardCharsets.UTF_8);
        List<String> valueFields = valueFieldOfEachByte(line);
        AuditLogVerifier verifier = new AuditLogVerifier();
        int named = 0;
        for (int position = 0; position < line.length; position++) {
            int p = position;
            byte[] tampered = original.clone();
            tampered[lineStart + p] = replacement(line[p]);
            VerificationReport report = verifier.verify("tampered", tampered, null);
            assertFalse(report.verified(), "byte " + p + " of line " + lineNumber + " changed unnoticed");
            RecordResult first = report.firstBroken().orElseThrow();
            assertEquals(lineNumber, first.line(), () -> "byte " + p + ": first broken " + first.location() + " "
                    + first.problems());
            String field = valueFields.get(p);
            if (field != null && isAsciiAlphanumeric(line[p])) {
                named++;
                assertTrue(first.problems().stream().anyMatch(x -> x.field().equals(field)), () -> "byte " + p + " ('"
                        + (char) line[p] + "') in the value of '" + field + "' but problems are " + first.problems());
                if (field.equals("seq")) {
                    assertTrue(lineNumber == 1 || first.problems().stream().anyMatch(x -> x.field().equals("seq")
                            && x.message().contains("its check value matches " + (lineNumber - 1))),
                            () -> "byte " + p + ": the original sequence number is named: " + first.problems());
                } else {
                    assertEquals(lineNumber - 1, first.sequence().orElse(-1), () -> "byte " + p + ": " + first.problems());
                }
            }
        }
        assertTrue(named > line.length / 2, "most bytes are inside values: " + named + " of " + line.length);
    }

    /** Another byte of the same class: digit to digit, hex letter to hex letter, letter to letter, else 'x'. */
    private static byte replacement(byte b) {
        if (b >= '0' && b <= '9') {
            return (byte) (b == '9' ? '0' : b + 1);
        }
        if (b >= 'a' && b <= 'f') {
            return (byte) (b == 'f' ? 'a' : b + 1);
        }
        if ((b >= 'g' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
            return (byte) (b == 'z' ? 'g' : b == 'Z' ? 'A' : b + 1);
        }
        return (byte) (b == 'x' ? 'y' : 'x');
    }

    private static boolean isAsciiAlphanumeric(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /**
     * For each byte, the top-level key whose value it lies strictly inside (not the value's
     * opening or closing quote, bracket or brace), or null. Values of a record line are strings,
     * numbers, arrays or objects.
     */
    static List<String> valueFieldOfEachByte(byte[] line) {
        String[] field = new String[line.length];
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        String key = null;
        int valueStart = -1;
        StringBuilder keyText = null;
        boolean readingKey = false;
        for (int i = 0; i < line.length; i++) {
            char c = (char) (line[i] & 0xff);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    if (readingKey) {
                        key = keyText.toString();
                        readingKey = false;
                    }
                    continue;
                }
                if (readingKey) {
                    keyText.append(c);
                }
            } else if (c == '"') {
                inString = true;
                if (depth == 1 && (line[i - 1] == '{' || line[i - 1] == ',')) {
                    readingKey = true;
                    keyText = new StringBuilder();
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ':' && depth == 1 && !readingKey) {
                valueStart = i + 1;
            } else if (c == ',' && depth == 1) {
                markValue(line, field, key, valueStart, i);
                valueStart = -1;
            }
            if (depth == 0 && valueStart >= 0) {
                markValue(line, field, key, valueStart, i);
                valueStart = -1;
            }
        }
        if (depth != 0 || inString) {
            fail("the line is not balanced JSON: " + new String(line, StandardCharsets.UTF_8));
        }
        return new ArrayList<>(Arrays.asList(field));
    }

    /** Marks value bytes [start, end), leaving out the delimiters of strings, arrays and objects. */
    private static void markValue(byte[] line, String[] field, String key, int start, int end) {
        for (int i = start; i < end; i++) {
            field[i] = key;
        }
        if ("\"[{".indexOf(line[start]) >= 0) {
            field[start] = null;
            field[end - 1] = null;
        }
    }
}
