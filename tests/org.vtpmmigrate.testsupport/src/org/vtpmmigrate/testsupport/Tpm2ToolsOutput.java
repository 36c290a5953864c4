package org.vtpmmigrate.testsupport;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what tpm2-tools print, so tests can compare against the tools as an independent
 * implementation.
 */
public final class Tpm2ToolsOutput {

    /** A line that opens a section, such as {@code pcrs:} or {@code   sha256:}. */
    private static final Pattern SECTION = Pattern.compile("^\\s*([\\w-]+):\\s*$");
    /** A PCR value such as {@code     16: 0x79AB...} or {@code     0 : 0x00...}. */
    private static final Pattern PCR_VALUE = Pattern.compile("^\\s*(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");
    private static final Set<String> BANKS = Set.of("sha1", "sha256", "sha384", "sha512", "sm3_256");

    private Tpm2ToolsOutput() {
    }

    /**
     * The PCR values of a listing as tpm2_pcrread, tpm2_quote and tpm2_checkquote print it: a bank
     * line ({@code   sha256:}) followed by value lines ({@code     16: 0x79...}). Other sections and
     * lines are passed over.
     *
     * @return bank name (as tpm2-tools spell it) to PCR index to value, banks in printed order; a
     *         bank listed without values (not allocated) is left out
     * @throws IllegalArgumentException if a PCR is listed twice in one bank, naming it and the line
     */
    public static Map<String, SortedMap<Integer, byte[]>> pcrValues(String text) {
        Map<String, SortedMap<Integer, byte[]>> banks = new LinkedHashMap<>();
        String currentBank = null;
        List<String> lines = text.lines().toList();
        for (int lineNumber = 1; lineNumber <= lines.size(); lineNumber++) {
            String line = lines.get(lineNumber - 1);
            Matcher section = SECTION.matcher(line);
            if (section.matches()) {
                currentBank = BANKS.contains(section.group(1)) ? section.group(1) : null;
                continue;
            }
            Matcher value = PCR_VALUE.matcher(line);
            if (value.matches() && currentBank != null) {
                int index = Integer.parseInt(value.group(1));
                byte[] bytes = HexFormat.of().parseHex(value.group(2).toLowerCase());
                if (banks.computeIfAbsent(currentBank, bank -> new TreeMap<>()).put(index, bytes) != null) {
                    throw new IllegalArgumentException("PCR " + index + " listed twice in bank " + currentBank
                            + ", again at line " + lineNumber + ": " + line.strip());
                }
            }
        }
        return banks;
    }

    /**
     * The value of the first {@code key: value} line, stripped; for example {@code name} in the
     * output of tpm2_readpublic.
     *
     * @throws IllegalArgumentException if no line has that key, quoting the text
     */
    public static String field(String text, String key) {
        String prefix = key + ":";
        for (String line : text.lines().toList()) {
            String stripped = line.strip();
            if (stripped.startsWith(prefix)) {
                return stripped.substring(prefix.length()).strip();
            }
        }
        throw new IllegalArgumentException("No '" + prefix + "' line in:\n" + text);
    }
}
