package org.vtpmmigrate.attest.eventlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.testsupport.TestData;
import org.vtpmmigrate.testsupport.Tpm2ToolsOutput;

/**
 * Readers for the shared test corpus and the expectation files that come with it. Files are
 * located and read in place by {@link TestData} (system property {@code vtpm.testdata}).
 */
public final class TestCorpus {

    private TestCorpus() {
    }

    /** The corpus root. */
    public static Path root() {
        return TestData.root();
    }

    /** A corpus file that must exist. */
    public static Path path(String relative) {
        return TestData.resolve(relative);
    }

    /** A corpus file's content. */
    public static byte[] bytes(String relative) {
        return TestData.bytes(relative);
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
        Map<String, Map<Integer, byte[]>> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> bank : banks.entrySet()) {
            Map<Integer, byte[]> bankValues = values.computeIfAbsent(bank.getKey(), name -> new TreeMap<>());
            for (Map.Entry<String, JsonElement> pcr : bank.getValue().getAsJsonObject().entrySet()) {
                bankValues.put(Integer.parseInt(pcr.getKey()), hex(pcr.getValue().getAsString()));
            }
        }
        return pcrValues(values);
    }

    /** The PCR listing in tpm2_pcrread / tpm2_quote output ({@code sha1:} then {@code 0 : 0x...}). */
    public static PcrValues tpm2ToolsPcrs(Path yaml) {
        return pcrValues(Tpm2ToolsOutput.pcrValues(text(yaml)));
    }

    private static PcrValues pcrValues(Map<String, ? extends Map<Integer, byte[]>> byBankName) {
        PcrValues.Builder b = PcrValues.builder();
        byBankName.forEach((bankName, values) -> {
            HashAlgorithm bank = HashAlgorithm.fromBankName(bankName)
                    .orElseThrow(() -> new AssertionError("unknown bank " + bankName));
            values.forEach((index, value) -> b.put(bank, index, value));
        });
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
