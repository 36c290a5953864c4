package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.TestCorpus;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;

/**
 * Software policy digests against the seal vector (testdata/seal, made by tpm2_createpolicy and
 * checked by a real unseal) and against trial sessions of a live swtpm.
 */
class PolicyDigestTest {
    /** The swtpm's working directory, where the tools write their files. */
    private static Path work;
    private static SwtpmProcess tpm;

    @BeforeAll
    static void startTpm() {
        tpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start();
        work = tpm.workingDirectory();
        tpm.runToolThenFlush("tpm2_pcrextend", "16:sha1=" + "ab".repeat(20) + ",sha256=" + "cd".repeat(32)).requireSuccess();
        tpm.runToolThenFlush("tpm2_pcrextend", "23:sha256=" + "ef".repeat(32)).requireSuccess();
    }

    @AfterAll
    static void stopTpm() {
        if (tpm != null) {
            tpm.close();
        }
    }

    @Test
    void sealVectorPolicyIsReproduced() throws Exception {
        PcrSelection sel = PcrSelection.parseSpec("sha256:0,7,16,23");
        PcrValues atSeal = Tpm2ToolsFiles.readPcrValues(TestData.bytes("seal/pcrs_at_seal.bin"), sel);
        PolicyDigest policy = PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(sel, atSeal);
        assertArrayEquals(TestData.bytes("seal/pcr.policy"), policy.value());
        assertArrayEquals(HexFormat.of().parseHex(TestData.text("seal/pcr.policy.hex").strip()), policy.value());
        assertArrayEquals(TestData.bytes("seal/session.policy"), policy.value(), "the real policy session reached it too");
        TpmPublic sealed = TpmPublic.parseTpm2b(TestData.bytes("seal/seal.pub"));
        assertTrue(policy.matches(sealed.authPolicy()), "seal.pub authPolicy");
        assertEquals(policy, PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(atSeal), "selection derived from the values");
    }

    @Test
    void tamperedStateGivesTheDigestTheTranscriptPredicts() {
        PcrValues after = TestCorpus.tpm2ToolsPcrs(TestData.resolve("seal/pcrs_after_tamper.yaml"));
        PolicyDigest policy = PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(after);
        String transcript = TestData.text("seal/transcript.txt");
        String marker = "offline policyDigest with PCR16 extended by STATE_B: ";
        String expected = transcript.substring(transcript.indexOf(marker) + marker.length()).lines().findFirst().orElseThrow();
        assertEquals(expected, HexFormat.of().formatHex(policy.value()));
        assertFalse(policy.matches(TestData.bytes("seal/pcr.policy")));
    }

    @Test
    void missingPcrValueIsNamed() {
        PcrValues partial = PcrValues.builder().put(HashAlgorithm.SHA256, 0, new byte[32]).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(PcrSelection.parseSpec("sha256:0,7"), partial));
        assertTrue(e.getMessage().contains("sha256:7"), e.getMessage());
    }

    /** PolicyPCR then PolicyCommandCode(ECDH_ZGen): the K_bind policy, as a TPM trial session computes it. */
    @Test
    void pcrAndCommandCodeMatchATrialSession() throws Exception {
        assertTrialSessionMatches("sha256", "sha256:0,7,16,23", true);
    }

    /** The PCR digest uses the session hash, whatever the banks: SHA-384 session over SHA-1 and SHA-256 PCRs. */
    @Test
    void sessionHashDiffersFromBankHash() throws Exception {
        assertTrialSessionMatches("sha384", "sha1:16+sha256:0,16", false);
    }

    /** Bank order in the selection is significant and kept. */
    @Test
    void bankOrderIsKept() throws Exception {
        assertTrialSessionMatches("sha256", "sha256:16,23+sha1:0,16", false);
        PcrValues v = pcrValues(PcrSelection.parseSpec("sha256:16,23+sha1:0,16"));
        assertNotEquals(PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(PcrSelection.parseSpec("sha256:16,23+sha1:0,16"), v),
                PolicyDigest.initial(HashAlgorithm.SHA256).policyPcr(PcrSelection.parseSpec("sha1:0,16+sha256:16,23"), v));
    }

    private static void assertTrialSessionMatches(String sessionHash, String spec, boolean withCommandCode) throws Exception {
        PcrSelection sel = PcrSelection.parseSpec(spec);
        PcrValues values = pcrValues(sel);
        HashAlgorithm h = HashAlgorithm.fromBankName(sessionHash).orElseThrow();
        PolicyDigest ours = PolicyDigest.initial(h).policyPcr(sel, values);
        String tag = sessionHash + spec.replaceAll("\\W", "_");
        String pcrPolicy = tag + ".pcr.policy";
        String ccPolicy = tag + ".cc.policy";
        String session = tag + ".session.ctx";
        List<ProcessResult> rs = withCommandCode
                ? tpm.runToolsThenFlush(List.of("tpm2_startauthsession", "-g", sessionHash, "-S", session),
                        List.of("tpm2_policypcr", "-S", session, "-l", spec, "-L", pcrPolicy),
                        List.of("tpm2_policycommandcode", "-S", session, "-L", ccPolicy, "TPM2_CC_ECDH_ZGen"))
                : tpm.runToolsThenFlush(List.of("tpm2_startauthsession", "-g", sessionHash, "-S", session),
                        List.of("tpm2_policypcr", "-S", session, "-l", spec, "-L", pcrPolicy));
        for (ProcessResult r : rs) {
            assertEquals(0, r.exitCode(), r.stderr());
        }
        assertEquals(withCommandCode ? 3 : 2, rs.size());
        assertArrayEquals(Files.readAllBytes(work.resolve(pcrPolicy)), ours.value(), "PolicyPCR " + spec);
        if (withCommandCode) {
            assertArrayEquals(Files.readAllBytes(work.resolve(ccPolicy)),
                    ours.policyCommandCode(TpmCommandCode.ECDH_ZGEN).value(), "PolicyCommandCode(ECDH_ZGen)");
        }
    }

    /** Current values read from the TPM with tpm2_pcrread (one call per bank keeps the file order obvious). */
    static PcrValues pcrValues(PcrSelection sel) throws Exception {
        PcrValues.Builder b = PcrValues.builder();
        for (HashAlgorithm h : sel.banks()) {
            PcrSelection one = PcrSelection.builder().select(h, sel.indices(h)).build();
            String file = "pcrread-" + h.bankName() + ".bin";
            tpm.runToolThenFlush("tpm2_pcrread", "-o", file, one.toString()).requireSuccess();
            PcrValues v = Tpm2ToolsFiles.readPcrValues(Files.readAllBytes(work.resolve(file)), one);
            for (int i : one.indices(h)) {
                b.put(h, i, v.get(h, i).orElseThrow());
            }
        }
        return b.build();
    }
}
