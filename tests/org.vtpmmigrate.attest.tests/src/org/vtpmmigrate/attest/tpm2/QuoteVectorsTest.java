package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.TestCorpus;
import org.vtpmmigrate.testsupport.TestData;

/**
 * Every quote vector under testdata/quotes gets the verdict tpm2_checkquote 5.4 gave it
 * (checkquote.rc and the error on checkquote.stderr name the failing check), one dynamic test
 * per vector directory; a vector directory without an entry here fails the factory, so new
 * vectors cannot be skipped silently. The rows of supplement/quotes_crosscheck.txt (each vector
 * against both AKs) are replayed the same way.
 * <p>
 * Two vectors have no tpm2_checkquote verdict:
 * <ul>
 * <li>{@code go-attestation-linux-tpm12} is a TPM 1.2 quote (TPM_QUOTE_INFO, "QUOT", SHA-1
 * composite). This project attests TPM 2.0 only, so it is <b>rejected as an unsupported
 * format</b>: the signature over it is genuine (it verifies, as openssl did in verify.txt), yet
 * the verdict fails with MAGIC naming TPM 1.2.</li>
 * <li>{@code rust-keylime} ships no AK public key. Its structure is consistent (nonce "TEST",
 * pcrDigest = SHA-1 of the claimed PCR16), so checked against an unrelated AK exactly one check
 * fails: SIGNATURE.</li>
 * </ul>
 * The verifier here accepts SHA-1 signatures, as tpm2_checkquote does; the project default
 * refuses them (tested in {@link QuoteVerifierTest}).
 */
class QuoteVectorsTest {
    /** tpm2_checkquote accepts every SHA-2 and SHA-1 signature. */
    static final QuoteVerifier TOOL_EQUIVALENT = new QuoteVerifier(
            EnumSet.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512));

    /**
     * One vector: files relative to its directory; {@code nonce} is "file:NAME", "hex:HEX" or ""
     * (checkquote ran without -q, i.e. empty qualifying data); {@code expected} null means "what
     * tpm2_checkquote said".
     */
    record Vector(String key, String attest, String signature, String pcrs, String nonce, Set<QuoteCheck> expected) {
    }

    static Map<String, Vector> vectors() {
        Map<String, Vector> m = new LinkedHashMap<>();
        String ak = "../common/ak.pub.pem";
        m.put("swtpm/valid", new Vector(ak, "quote.msg", "quote.sig", "quote.pcrs", "file:nonce.hex", null));
        m.put("swtpm/valid_with_eventlog", new Vector(ak, "quote.msg", "quote.sig", "quote.pcrs", "file:nonce.hex", null));
        m.put("swtpm/wrong_nonce", new Vector(ak, "quote.msg", "quote.sig", "quote.pcrs", "file:verifier_nonce.hex", null));
        m.put("swtpm/tampered_pcrs", new Vector(ak, "quote.msg", "quote.sig", "quote.pcrs", "file:nonce.hex", null));
        m.put("swtpm/tampered_sig", new Vector(ak, "quote.msg", "quote.sig", "quote.pcrs", "file:nonce.hex", null));
        m.put("swtpm/ecc_valid", new Vector("../common/akecc.pub.pem", "quote.msg", "quote.sig", "quote.pcrs",
                "file:nonce.hex", null));
        m.put("go-attestation-gcp-windows", new Vector("ak.pub.pem", "quote.msg", "quote.sig", "quote.pcrs", "", null));
        m.put("keylime", new Vector("akpub.pem", "quote.out", "quotesig.out", "quotepcr.out", "file:nonce.hex", null));
        m.put("rust-keylime", new Vector("../keylime/akpub.pem", "quote.msg", "quote.sig", "quote.pcrs",
                "hex:" + java.util.HexFormat.of().formatHex("TEST".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), EnumSet.of(QuoteCheck.SIGNATURE)));
        m.put("go-attestation-linux-tpm12", new Vector("aik.pub.pem", "quote_info.bin", "quote.sig", null, "", EnumSet.of(QuoteCheck.MAGIC)));
        return m;
    }

    @TestFactory
    Stream<DynamicTest> everyQuoteVectorGetsTheVerdictOfTpm2Checkquote() {
        Path quotes = TestData.resolve("quotes");
        Map<String, Vector> table = vectors();
        Set<String> discovered = discoverVectorDirectories(quotes);
        assertEquals(new TreeSet<>(table.keySet()), discovered,
                "vector directories under " + quotes + " and the table in this test must agree");
        return table.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
                () -> checkVector(quotes.resolve(e.getKey()), e.getValue())));
    }

    /** A vector directory holds a signed attestation: quote.msg (tpm2-tools), quote.out (keylime) or quote_info.bin (TPM 1.2). */
    static Set<String> discoverVectorDirectories(Path quotes) {
        try (Stream<Path> s = Files.walk(quotes)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && Set.of("quote.msg", "quote.out", "quote_info.bin").contains(p.getFileName().toString()))
                    .map(p -> quotes.relativize(p.getParent()).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkVector(Path dir, Vector v) throws Exception {
        Set<QuoteCheck> expected = v.expected != null ? v.expected : toolVerdict(dir);
        VerificationResult<QuoteCheck> r = verify(dir, v.key, v);
        assertEquals(expected, r.failedChecks(), dir + ": " + r.summary());
        for (VerificationResult.Failure<QuoteCheck> f : r.failures()) {
            assertTrue(f.message().length() > 20, "failure message says what was wrong: " + f);
        }
        if (dir.endsWith("go-attestation-linux-tpm12")) {
            assertTrue(r.failures().get(0).message().contains("TPM 1.2"), r.summary());
            assertTrue(r.attest().isEmpty(), "a TPM 1.2 structure is not decoded as TPMS_ATTEST");
        } else {
            assertTrue(r.attest().isPresent(), "TPM 2.0 quotes decode: " + r.summary());
        }
    }

    static VerificationResult<QuoteCheck> verify(Path dir, String keyFile, Vector v) throws Exception {
        PublicKey key = Tpm2ToolsFiles.readPublicKey(Files.readAllBytes(dir.resolve(keyFile)));
        byte[] attest = Files.readAllBytes(dir.resolve(v.attest));
        byte[] sig = Files.readAllBytes(dir.resolve(v.signature));
        PcrValues claimed;
        if (v.pcrs == null) {
            // TPM 1.2: a raw PKCS#1 v1.5 SHA-1 signature and no tpm2-tools PCR file
            sig = new org.vtpmmigrate.attest.tpm2.internal.TpmWriter().u16(TpmScheme.RSASSA.tpmAlgId())
                    .u16(HashAlgorithm.SHA1.tpmAlgId()).tpm2b(sig).toByteArray();
            claimed = PcrValues.builder().build();
        } else {
            claimed = Tpm2ToolsFiles.readSerializedPcrs(Files.readAllBytes(dir.resolve(v.pcrs)));
        }
        return TOOL_EQUIVALENT.verify(key, attest, sig, claimed, nonce(dir, v.nonce));
    }

    static byte[] nonce(Path dir, String spec) throws IOException {
        if (spec.isEmpty()) {
            return new byte[0];
        }
        if (spec.startsWith("hex:")) {
            return HexFormat.of().parseHex(spec.substring(4));
        }
        return HexFormat.of().parseHex(Files.readString(dir.resolve(spec.substring(5))).trim());
    }

    /** Maps tpm2_checkquote's exit code and first error line to the check that failed. */
    static Set<QuoteCheck> toolVerdict(Path dir) throws IOException {
        String rc = Files.readString(dir.resolve("checkquote.rc")).trim();
        if (rc.equals("rc=0")) {
            return EnumSet.noneOf(QuoteCheck.class);
        }
        assertEquals("rc=1", rc, dir + "/checkquote.rc");
        String stderr = Files.readString(dir.resolve("checkquote.stderr"));
        if (stderr.contains("Error validating nonce from quote")) {
            return EnumSet.of(QuoteCheck.NONCE);
        }
        if (stderr.contains("PCR values failed to match quote's digest")) {
            return EnumSet.of(QuoteCheck.PCR_DIGEST);
        }
        if (stderr.contains("Error validating signed message")) {
            return EnumSet.of(QuoteCheck.SIGNATURE);
        }
        return fail("unmapped tpm2_checkquote error in " + dir + ": " + stderr);
    }

    private static final Pattern CROSSCHECK_ROW = Pattern.compile(
            "^(\\S+) key=(\\S+)(?: nonce=(\\S+))? rc=(\\d+)(?: recorded_rc=rc=(\\d+))?.*$");

    /**
     * supplement/quotes_crosscheck.txt: each swtpm vector against both AKs (with the vector's own
     * nonce unless the row names another). A quote checked with the other AK must fail; the rows
     * record tpm2_checkquote's rc.
     */
    @TestFactory
    Stream<DynamicTest> crosscheckRowsGetTheSameVerdict() {
        List<String> lines = TestData.text("supplement/quotes_crosscheck.txt").lines()
                .filter(l -> !l.startsWith("#")).toList();
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines) {
            Matcher m = CROSSCHECK_ROW.matcher(line);
            if (!m.matches()) {
                continue; // continuation lines of a row's quoted tool output
            }
            String vector = m.group(1);
            String key = "../" + m.group(2);
            String nonce = "file:" + (m.group(3) != null ? m.group(3) : "nonce.hex");
            boolean toolPassed = m.group(4).equals("0");
            Vector v = vectors().get("swtpm/" + vector);
            tests.add(DynamicTest.dynamicTest(line.length() > 90 ? line.substring(0, 90) : line, () -> {
                Path dir = TestData.resolve("quotes/swtpm/" + vector);
                VerificationResult<QuoteCheck> r = verify(dir, key, new Vector(key, v.attest, v.signature, v.pcrs, nonce, null));
                assertEquals(toolPassed, r.passed(), line + " -> " + r.summary());
                if (!toolPassed && !key.equals(v.key)) {
                    assertTrue(r.failedChecks().contains(QuoteCheck.SIGNATURE_ALGORITHM)
                            || r.failedChecks().contains(QuoteCheck.SIGNATURE), "the other AK's key is refused: " + r.summary());
                }
            }));
        }
        assertTrue(tests.size() >= 13, "crosscheck rows found: " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> pcrFilesHoldTheValuesTheToolsPrinted() {
        Map<String, String> printed = new LinkedHashMap<>();
        printed.put("quotes/swtpm/valid/quote.pcrs", "quotes/swtpm/valid/quote.stdout.yaml");
        printed.put("quotes/swtpm/valid_with_eventlog/quote.pcrs", "quotes/swtpm/valid_with_eventlog/quote.stdout.yaml");
        printed.put("quotes/swtpm/ecc_valid/quote.pcrs", "quotes/swtpm/ecc_valid/checkquote.stdout");
        printed.put("quotes/go-attestation-gcp-windows/quote.pcrs", "quotes/go-attestation-gcp-windows/checkquote.stdout");
        printed.put("quotes/keylime/quotepcr.out", "quotes/keylime/checkquote.stdout");
        return printed.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            PcrValues fromFile = Tpm2ToolsFiles.readSerializedPcrs(TestData.bytes(e.getKey()));
            PcrValues fromYaml = TestCorpus.tpm2ToolsPcrs(TestData.resolve(e.getValue()));
            assertFalse(fromYaml.isEmpty(), "no PCR lines in " + e.getValue());
            assertEquals(fromYaml, fromFile);
        }));
    }

    @TestFactory
    Stream<DynamicTest> tamperedPcrFileDiffersInExactlySha256Pcr10() {
        return Stream.of(DynamicTest.dynamicTest("tampered_pcrs vs valid", () -> {
            PcrValues valid = Tpm2ToolsFiles.readSerializedPcrs(TestData.bytes("quotes/swtpm/valid/quote.pcrs"));
            PcrValues tampered = Tpm2ToolsFiles.readSerializedPcrs(TestData.bytes("quotes/swtpm/tampered_pcrs/quote.pcrs"));
            List<String> differing = new ArrayList<>();
            for (HashAlgorithm h : valid.banks()) {
                for (int i : valid.indices(h)) {
                    if (!java.util.Arrays.equals(valid.get(h, i).orElseThrow(), tampered.get(h, i).orElseThrow())) {
                        differing.add(h.bankName() + ":" + i);
                    }
                }
            }
            assertEquals(List.of("sha256:10"), differing, "tamper_diff.txt flips one bit of sha256 PCR10");
        }));
    }

    @TestFactory
    Stream<DynamicTest> tpm12QuoteInfoIsRefusedByTheTpm2Decoder() {
        return Stream.of(DynamicTest.dynamicTest("TpmAttest.parse(quote_info.bin)", () -> {
            TpmFormatException e = assertThrows(TpmFormatException.class,
                    () -> TpmAttest.parse(TestData.bytes("quotes/go-attestation-linux-tpm12/quote_info.bin")));
            assertEquals("TPMS_ATTEST.magic", e.field());
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("TPM 1.2 quotes are not supported"), e.getMessage());
        }));
    }
}
