package org.vtpmmigrate.attest.tpm2;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/** Reads the PCR listings tpm2-tools print ("  sha256:" then "    16: 0x79..."). */
final class ToolOutput {
    private static final Pattern BANK = Pattern.compile("^\\s*(\\w+):\\s*$");
    private static final Pattern VALUE = Pattern.compile("^\\s*(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");

    private ToolOutput() {
    }

    static PcrValues pcrValues(String text) {
        PcrValues.Builder b = PcrValues.builder();
        HashAlgorithm bank = null;
        for (String line : text.lines().toList()) {
            Matcher m = BANK.matcher(line);
            if (m.matches()) {
                bank = HashAlgorithm.fromBankName(m.group(1)).orElse(null);
                continue;
            }
            Matcher v = VALUE.matcher(line);
            if (v.matches() && bank != null) {
                b.put(bank, Integer.parseInt(v.group(1)), TestData.hex(v.group(2)));
            }
        }
        return b.build();
    }

    /** The value of a "key: value" line, e.g. "name: 000b..." from tpm2_readpublic. */
    static String field(String text, String key) {
        for (String line : text.lines().toList()) {
            String t = line.trim();
            if (t.startsWith(key + ":")) {
                return t.substring(key.length() + 1).trim();
            }
        }
        throw new AssertionError("no '" + key + ":' line in:\n" + text);
    }
}
