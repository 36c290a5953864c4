package org.vtpmmigrate.attest.eventlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * The shared test corpus (read in place from the directory in system property
 * {@code vtpm.testdata}) and readers for the expectation files that come with it.
 */
public final class TestCorpus {
    private static final Pattern TPM2_PCR_LINE = Pattern.compile("^\\s+(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");
    private static final Pattern TPM2_BANK_LINE = Pattern.compile("^\\s+(sha1|sha256|sha384|sha512|sm3_256):\\s*$");

    private TestCorpus() {
    }

    /** The corpus root; fails the test with a clear message when the property is missing or wrong. */
    public static Path root() {
        String dir = System.getProperty("vtpm.testdata");
        if (dir == null || dir.isBlank()) {
            throw new AssertionError("system property vtpm.testdata is not set: run the tests with "
                    + "-Dvtpm.testdata=<corpus directory> (the build sets it)");
        }
        Path root = Path.of(dir);
        if (!Files.isRegularFile(root.resolve("MANIFEST.md"))) {
            throw new AssertionError("vtpm.testdata=" + dir + " does not hold the test corpus (no MANIFEST.md)");
        }
        return root;
    }

    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("corpus file missing: " + p);
        }
        return p;
    }

    public static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonElement json(Path p) {
        return JsonParser.parseString(text(p));
    }

    /** Regular files under {@code dir} (recursively) that {@code accept}, sorted by path. */
    public static List<Path> files(Path dir, Predicate<Path> accept) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(accept).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Path relative to the corpus root, with '/' separators, for test names and expectation keys. */
    public static String relative(Path p) {
        return root().relativize(p).toString().replace('\\', '/');
    }

    /** Hex with or without a 0x prefix. */
    public static byte[] hex(String s) {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        return HexFormat.of().parseHex(h.toLowerCase());
    }

    /** {@code {"sha1": {"0": "hex", ...}, ...}} into PCR values; empty banks vanish. */
    public static PcrValues pcrsByBank(JsonObject banks) {
        PcrValues.Builder b = PcrValues.builder();
        for (Map.Entry<String, JsonElement> bank : banks.entrySet()) {
            HashAlgorithm alg = HashAlgorithm.fromBankName(bank.getKey())
                    .orElseThrow(() -> new AssertionError("unknown bank " + bank.getKey()));
            for (Map.Entry<String, JsonElement> pcr : bank.getValue().getAsJsonObject().entrySet()) {
                b.put(alg, Integer.parseInt(pcr.getKey()), hex(pcr.getValue().getAsString()));
            }
        }
        return b.build();
    }

    /** The {@code pcrs:} part of tpm2_pcrread / tpm2_quote output ({@code sha1:} then {@code 0 : 0x...}). */
    public static PcrValues tpm2ToolsPcrs(Path yaml) {
        PcrValues.Builder b = PcrValues.builder();
        HashAlgorithm bank = null;
        for (String line : text(yaml).split("\n")) {
            Matcher m = TPM2_BANK_LINE.matcher(line);
            if (m.matches()) {
                bank = HashAlgorithm.fromBankName(m.group(1)).orElseThrow();
                continue;
            }
            Matcher v = TPM2_PCR_LINE.matcher(line);
            if (v.matches() && bank != null) {
                b.put(bank, Integer.parseInt(v.group(1)), hex(v.group(2)));
            }
        }
        return b.build();
    }

    /** Lines {@code N: hex} (tsspcrread output) as one bank. */
    public static PcrValues numberedLines(Path file, HashAlgorithm bank) {
        PcrValues.Builder b = PcrValues.builder();
        for (String line : text(file).split("\n")) {
            String[] parts = line.split(":\\s*");
            if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("[0-9a-fA-F]+")) {
                b.put(bank, Integer.parseInt(parts[0]), hex(parts[1]));
            }
        }
        return b.build();
    }

    /** Every (bank, index) pair of {@code values}, as "bank:index" strings, for readable assertions. */
    public static List<String> keys(PcrValues values) {
        List<String> out = new ArrayList<>();
        for (HashAlgorithm bank : values.banks()) {
            for (int i : values.indices(bank)) {
                out.add(bank.bankName() + ":" + i);
            }
        }
        return out;
    }
}
