package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * TPM2_Certify results from a real swtpm for the protocol's PCR-bound key (ECC P-256,
 * fixedTPM|fixedParent|sensitiveDataOrigin|decrypt, authPolicy = PolicyPCR + PolicyCommandCode
 * (ECDH_ZGen)), certified by an ECDSA AK; each deviation fails exactly its own check.
 */
class CertifyVerifierTest {
    private static final String PCRS = "sha256:0,16";
    private static final int AK_HANDLE = 0x81000100;
    private static final byte[] QUALIFYING = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    /** The swtpm's working directory, where the tools write their files. */
    private static Path work;
    private static SwtpmProcess tpm;
    private static PublicKey ak;
    private static PublicKey otherAk;
    private static PolicyDigest expectedPolicy;

    @BeforeAll
    static void certifyKeys() throws Exception {
        tpm = SwtpmProcess.start();
        work = tpm.workingDirectory();
        tpm.runToolThenFlush("tpm2_pcrextend", "16:sha256=" + "5a".repeat(32)).requireSuccess();
        tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa", "-u", "ak.pub").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", "ak2.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa", "-u", "ak2.pub").requireSuccess();
        ak = TpmPublic.parseTpm2b(read("ak.pub")).toPublicKey();
        otherAk = TpmPublic.parseTpm2b(read("ak2.pub")).toPublicKey();

        List<ProcessResult> trial = tpm.runToolsThenFlush(List.of("tpm2_startauthsession", "-S", "trial.ctx"),
                List.of("tpm2_policypcr", "-S", "trial.ctx", "-l", PCRS, "-L", "kbind.pcr.policy"),
                List.of("tpm2_policycommandcode", "-S", "trial.ctx", "-L", "kbind.policy", "TPM2_CC_ECDH_ZGen"));
        assertEquals(3, trial.size(), "trial session: " + trial.get(trial.size() - 1).stderr());
        assertEquals(0, trial.get(2).exitCode(), trial.get(2).stderr());

        tpm.runToolThenFlush("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "srk.ctx").requireSuccess();
        tpm.runToolThenFlush("tpm2_evictcontrol", "-C", "o", "-c", "ak.ctx", hex(AK_HANDLE)).requireSuccess();
        String bound = "fixedtpm|fixedparent|sensitivedataorigin|decrypt";
        createAndCertify("kbind", bound, AK_HANDLE + 1);
        createAndCertify("kbind2", bound, AK_HANDLE + 2);
        createAndCertify("kuser", bound + "|userwithauth", AK_HANDLE + 3);
        // tpm2_certify itself (no qualifying-data option in tpm2-tools 5.4): its files verify too
        tpm.runToolThenFlush("tpm2_certify", "-c", hex(AK_HANDLE + 1), "-C", hex(AK_HANDLE), "-g", "sha256",
                "-o", "kbind.tool.attest", "-s", "kbind.tool.sig").requireSuccess();
        tpm.runToolThenFlush("tpm2_quote", "-c", "ak.ctx", "-l", PCRS, "-q", HexFormat.of().formatHex(QUALIFYING),
                "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-g", "sha256").requireSuccess();

        PcrValues accepted = currentPcrs();
        expectedPolicy = PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(PcrSelection.parseSpec(PCRS), accepted)
                .policyCommandCode(TpmCommandCode.ECDH_ZGEN);
    }

    /** Creates the key under the SRK, makes it persistent and has the AK certify it with the qualifying data. */
    private static void createAndCertify(String key, String attributes, int handle) throws Exception {
        tpm.runToolThenFlush("tpm2_create", "-C", "srk.ctx", "-G", "ecc256", "-g", "sha256", "-a", attributes, "-L", "kbind.policy",
                "-u", key + ".pub", "-r", key + ".priv", "-c", key + ".ctx").requireSuccess();
        tpm.runToolThenFlush("tpm2_evictcontrol", "-C", "o", "-c", key + ".ctx", hex(handle)).requireSuccess();
        RawTpmCommands.Certification c = RawTpmCommands.certify(tpm.port(), handle, AK_HANDLE, QUALIFYING);
        Files.write(work.resolve(key + ".attest"), c.attest());
        Files.write(work.resolve(key + ".sig"), c.signature());
    }

    private static String hex(int handle) {
        return String.format("0x%08x", handle);
    }

    private static PcrValues currentPcrs() throws Exception {
        tpm.runToolThenFlush("tpm2_pcrread", "-o", "accepted.bin", PCRS).requireSuccess();
        return Tpm2ToolsFiles.readPcrValues(read("accepted.bin"), PcrSelection.parseSpec(PCRS));
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    private static byte[] read(String f) throws Exception {
        return Files.readAllBytes(work.resolve(f));
    }

    private static CertifyVerifier.Expectations expect(byte[] qualifying, PolicyDigest policy) {
        return new CertifyVerifier.Expectations(qualifying, CertifyVerifier.PCR_BOUND_DECRYPTION_KEY, policy.value());
    }

    private static VerificationResult<CertifyCheck> verify(PublicKey signer, String certification, String presentedPublic,
            CertifyVerifier.Expectations e) throws Exception {
        return new CertifyVerifier().verify(signer, read(certification + ".attest"), read(certification + ".sig"),
                TpmPublic.parseTpm2b(read(presentedPublic + ".pub")), e);
    }

    @Test
    void boundKeyCertificationPasses() throws Exception {
        VerificationResult<CertifyCheck> r = verify(ak, "kbind", "kbind", expect(QUALIFYING, expectedPolicy));
        assertTrue(r.passed(), r.summary());
        VerificationResult<CertifyCheck> withPublicArea = new CertifyVerifier().verify(TpmPublic.parseTpm2b(read("ak.pub")),
                read("kbind.attest"), read("kbind.sig"), TpmPublic.parseTpm2b(read("kbind.pub")), expect(QUALIFYING, expectedPolicy));
        assertTrue(withPublicArea.passed(), withPublicArea.summary());
        TpmPublic kbind = TpmPublic.parseTpm2b(read("kbind.pub"));
        assertArrayEquals(kbind.name(), r.attest().orElseThrow().certifyInfo().orElseThrow().name());
        assertEquals(TpmPublic.Type.ECC, kbind.type());
        assertEquals(EccCurve.NIST_P256, ((TpmPublic.EccDetails) kbind.details()).curve());
    }

    @Test
    void certificationWrittenByTpm2CertifyVerifies() throws Exception {
        // tpm2_certify 5.4 always passes the fixed qualifying data 00 ff 55 aa
        VerificationResult<CertifyCheck> r = verify(ak, "kbind.tool", "kbind",
                expect(HexFormat.of().parseHex("00ff55aa"), expectedPolicy));
        assertTrue(r.passed(), r.summary());
    }

    @Test
    void verifierPolicyEqualsTheTrialSessionAndTheKeysAuthPolicy() throws Exception {
        assertArrayEquals(read("kbind.policy"), expectedPolicy.value());
        assertTrue(expectedPolicy.matches(TpmPublic.parseTpm2b(read("kbind.pub")).authPolicy()));
    }

    @Test
    void otherQualifyingDataFailsOnlyThatCheck() throws Exception {
        byte[] other = QUALIFYING.clone();
        other[31] ^= 1;
        VerificationResult<CertifyCheck> r = verify(ak, "kbind", "kbind", expect(other, expectedPolicy));
        assertEquals(Set.of(CertifyCheck.QUALIFYING_DATA), r.failedChecks(), r.summary());
    }

    /** A man in the middle swaps in another key with the same template: the certified name gives it away. */
    @Test
    void swappedPublicAreaFailsTheName() throws Exception {
        VerificationResult<CertifyCheck> r = verify(ak, "kbind", "kbind2", expect(QUALIFYING, expectedPolicy));
        assertEquals(Set.of(CertifyCheck.NAME), r.failedChecks(), r.summary());
        assertTrue(r.summary().contains(HexFormat.of().formatHex(TpmPublic.parseTpm2b(read("kbind2.pub")).name())), r.summary());
    }

    @Test
    void keyUsableWithItsPasswordFailsTheAttributes() throws Exception {
        VerificationResult<CertifyCheck> r = verify(ak, "kuser", "kuser", expect(QUALIFYING, expectedPolicy));
        assertEquals(Set.of(CertifyCheck.OBJECT_ATTRIBUTES), r.failedChecks(), r.summary());
        assertTrue(r.summary().contains("not allowed userwithauth"), r.summary());
    }

    @Test
    void policyOfOtherPcrValuesFailsTheAuthPolicy() throws Exception {
        PcrValues other = PcrValues.builder().put(HashAlgorithm.SHA256, 0, new byte[32])
                .put(HashAlgorithm.SHA256, 16, new byte[32]).build();
        PolicyDigest otherPolicy = PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(other)
                .policyCommandCode(TpmCommandCode.ECDH_ZGEN);
        VerificationResult<CertifyCheck> r = verify(ak, "kbind", "kbind", expect(QUALIFYING, otherPolicy));
        assertEquals(Set.of(CertifyCheck.AUTH_POLICY), r.failedChecks(), r.summary());
        // a policy without the command-code restriction is a different policy too
        PolicyDigest pcrOnly = PolicyDigest.of(HashAlgorithm.SHA256, read("kbind.pcr.policy"));
        assertEquals(Set.of(CertifyCheck.AUTH_POLICY), verify(ak, "kbind", "kbind", expect(QUALIFYING, pcrOnly)).failedChecks());
    }

    @Test
    void certificationByAnotherAkFailsTheSignature() throws Exception {
        VerificationResult<CertifyCheck> r = verify(otherAk, "kbind", "kbind", expect(QUALIFYING, expectedPolicy));
        assertEquals(Set.of(CertifyCheck.SIGNATURE), r.failedChecks(), r.summary());
    }

    @Test
    void quoteAndCertificationAreNotInterchangeable() throws Exception {
        VerificationResult<CertifyCheck> asCertify = new CertifyVerifier().verify(ak, read("quote.msg"), read("quote.sig"),
                TpmPublic.parseTpm2b(read("kbind.pub")), expect(QUALIFYING, expectedPolicy));
        assertEquals(Set.of(CertifyCheck.TYPE), asCertify.failedChecks(), asCertify.summary());
        VerificationResult<QuoteCheck> asQuote = new QuoteVerifier().verify(ak, read("kbind.attest"), read("kbind.sig"),
                currentPcrs(), QUALIFYING);
        assertEquals(Set.of(QuoteCheck.TYPE), asQuote.failedChecks(), asQuote.summary());
        VerificationResult<QuoteCheck> quote = new QuoteVerifier().verify(ak, read("quote.msg"), read("quote.sig"),
                Tpm2ToolsFiles.readSerializedPcrs(read("quote.pcrs")), QUALIFYING);
        assertTrue(quote.passed(), quote.summary());
    }
}
