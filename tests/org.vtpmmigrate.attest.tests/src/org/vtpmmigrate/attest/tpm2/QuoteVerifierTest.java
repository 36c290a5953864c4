package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.testsupport.TestData;

/** Each check of {@link QuoteVerifier} fails alone, with a message that names expected and actual. */
class QuoteVerifierTest {
    private static PublicKey ak;
    private static byte[] attest;
    private static byte[] signature;
    private static PcrValues pcrs;
    private static byte[] nonce;

    @BeforeAll
    static void loadValidVector() throws Exception {
        ak = Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/swtpm/common/ak.pub.pem"));
        attest = TestData.bytes("quotes/swtpm/valid/quote.msg");
        signature = TestData.bytes("quotes/swtpm/valid/quote.sig");
        pcrs = Tpm2ToolsFiles.readSerializedPcrs(TestData.bytes("quotes/swtpm/valid/quote.pcrs"));
        nonce = HexFormat.of().parseHex(TestData.text("quotes/swtpm/valid/nonce.hex").strip());
    }

    private static VerificationResult<QuoteCheck> verify(byte[] a, byte[] s, PcrValues p, byte[] n) {
        return new QuoteVerifier().verify(ak, a, s, p, n);
    }

    @Test
    void validQuotePassesWithTheProjectDefaults() {
        VerificationResult<QuoteCheck> r = verify(attest, signature, pcrs, nonce);
        assertTrue(r.passed(), r.summary());
        assertEquals("passed", r.summary());
        assertEquals(new ClockInfo(10095, 2, 0, true), r.attest().orElseThrow().clockInfo());
    }

    @Test
    void akGivenAsPublicAreaMustBeARestrictedSigningKey() throws Exception {
        TpmPublic akPublic = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ak.pub.tss"));
        assertTrue(new QuoteVerifier().verify(akPublic, attest, signature, pcrs, nonce).passed());
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        VerificationResult<QuoteCheck> r = new QuoteVerifier().verify(ek, attest, signature, pcrs, nonce);
        assertEquals(List.of(QuoteCheck.ATTESTATION_KEY, QuoteCheck.SIGNATURE), List.copyOf(r.failedChecks()), r.summary());
        assertTrue(r.failures().get(0).message().contains("decrypt"), r.summary());
        TpmPublic sealed = TpmPublic.parseTpm2b(TestData.bytes("seal/seal.pub"));
        assertEquals(Set.of(QuoteCheck.ATTESTATION_KEY),
                new QuoteVerifier().verify(sealed, attest, signature, pcrs, nonce).failedChecks());
    }

    @Test
    void sha1SignatureIsRefusedByDefaultAsADowngrade() throws Exception {
        String dir = "quotes/go-attestation-gcp-windows/";
        PublicKey gcpAk = Tpm2ToolsFiles.readPublicKey(TestData.bytes(dir + "ak.pub.pem"));
        VerificationResult<QuoteCheck> r = new QuoteVerifier().verify(gcpAk, TestData.bytes(dir + "quote.msg"),
                TestData.bytes(dir + "quote.sig"), Tpm2ToolsFiles.readSerializedPcrs(TestData.bytes(dir + "quote.pcrs")),
                new byte[0]);
        assertEquals(Set.of(QuoteCheck.SIGNATURE_ALGORITHM), r.failedChecks(), r.summary());
        assertTrue(r.summary().contains("signature hash sha1 is not allowed"), r.summary());
    }

    @Test
    void otherNonceFailsOnlyTheNonceCheckAndShowsBothValues() {
        byte[] other = nonce.clone();
        other[0] ^= 1;
        VerificationResult<QuoteCheck> r = verify(attest, signature, pcrs, other);
        assertEquals(Set.of(QuoteCheck.NONCE), r.failedChecks());
        String m = r.failures().get(0).message();
        assertTrue(m.contains(TestData.text("quotes/swtpm/valid/nonce.hex").trim()), m);
        assertTrue(m.contains(java.util.HexFormat.of().formatHex(other)), m);
    }

    @Test
    void nonceOfAnotherLengthFails() {
        VerificationResult<QuoteCheck> r = verify(attest, signature, pcrs, Arrays.copyOf(nonce, 32));
        assertEquals(Set.of(QuoteCheck.NONCE), r.failedChecks());
    }

    @Test
    void claimedValueTheQuoteDoesNotCoverFailsSelection() {
        PcrValues.Builder b = copy(pcrs);
        b.put(HashAlgorithm.SHA256, 17, new byte[32]);
        assertOnlyFailure(b.build(), QuoteCheck.PCR_SELECTION, "claimed but not quoted: sha256:17");
    }

    @Test
    void quotedPcrWithoutClaimedValueFailsSelection() {
        PcrValues.Builder b = PcrValues.builder();
        for (HashAlgorithm h : pcrs.banks()) {
            for (int i : pcrs.indices(h)) {
                if (!(h == HashAlgorithm.SHA256 && i == 23)) {
                    b.put(h, i, pcrs.get(h, i).orElseThrow());
                }
            }
        }
        assertOnlyFailure(b.build(), QuoteCheck.PCR_SELECTION, "quoted but not claimed: sha256:23");
    }

    @Test
    void wrongClaimedValueFailsTheDigest() {
        PcrValues.Builder b = copy(pcrs);
        b.put(HashAlgorithm.SHA1, 16, new byte[20]);
        assertOnlyFailure(b.build(), QuoteCheck.PCR_DIGEST,
                "7780f0c86920773d35b3c7adf46aad18fd0935c987aeb0cbb7a0b8590a98e22c");
    }

    /** The valid quote checked against other claimed PCR values fails {@code check} alone, saying {@code detail}. */
    private static void assertOnlyFailure(PcrValues claimed, QuoteCheck check, String detail) {
        VerificationResult<QuoteCheck> r = verify(attest, signature, claimed, nonce);
        assertEquals(Set.of(check), r.failedChecks(), r.summary());
        assertTrue(r.summary().contains(detail), r.summary());
    }

    @Test
    void changedTypeFailsSignatureAndType() {
        byte[] a = attest.clone();
        a[5] = 0x17; // TPM_ST_ATTEST_CERTIFY
        VerificationResult<QuoteCheck> r = verify(a, signature, pcrs, nonce);
        assertEquals(EnumSet.of(QuoteCheck.SIGNATURE, QuoteCheck.TYPE), r.failedChecks());
        assertTrue(r.summary().contains("attestation type CERTIFY, expected QUOTE"), r.summary());
    }

    @Test
    void foreignMagicFailsSignatureAndMagic() {
        byte[] a = attest.clone();
        a[0] = 0;
        VerificationResult<QuoteCheck> r = verify(a, signature, pcrs, nonce);
        assertEquals(EnumSet.of(QuoteCheck.SIGNATURE, QuoteCheck.MAGIC), r.failedChecks());
        assertTrue(r.attest().isEmpty());
    }

    @Test
    void trailingByteFailsSignatureAndFormat() {
        VerificationResult<QuoteCheck> r = verify(Arrays.copyOf(attest, attest.length + 1), signature, pcrs, nonce);
        assertEquals(EnumSet.of(QuoteCheck.SIGNATURE, QuoteCheck.FORMAT), r.failedChecks());
        assertTrue(r.summary().contains("trailing"), r.summary());
    }

    @Test
    void undecodableSignatureIsAFormatFailureNamingTheField() {
        VerificationResult<QuoteCheck> r = verify(attest, Arrays.copyOf(signature, 100), pcrs, nonce);
        assertEquals(Set.of(QuoteCheck.FORMAT), r.failedChecks());
        assertTrue(r.summary().contains("TPMT_SIGNATURE.signature.rsa.sig.size at offset 4"), r.summary());
    }

    @Test
    void oversizedAttestationIsRefusedBeforeHashing() {
        VerificationResult<QuoteCheck> r = verify(new byte[4096], signature, pcrs, nonce);
        assertEquals(Set.of(QuoteCheck.FORMAT), r.failedChecks());
    }

    /** Any single changed byte of the signed structure is caught by the signature, and decoding never throws. */
    @Test
    void everySingleByteChangeOfTheQuoteIsDetected() {
        for (int i = 0; i < attest.length; i++) {
            for (int delta : new int[] {1, 0x80, 0xFF}) {
                byte[] a = attest.clone();
                a[i] = (byte) (a[i] ^ delta);
                VerificationResult<QuoteCheck> r = verify(a, signature, pcrs, nonce);
                assertFalse(r.passed(), "byte " + i + " ^ " + delta);
                assertTrue(r.failedChecks().contains(QuoteCheck.SIGNATURE), "byte " + i + ": " + r.summary());
            }
        }
    }

    @Test
    void everyTruncationOfTheQuoteIsAFormatError() {
        for (int len = 0; len < attest.length; len++) {
            byte[] a = Arrays.copyOf(attest, len);
            try {
                TpmAttest.parse(a);
                throw new AssertionError("truncation to " + len + " bytes decoded");
            } catch (TpmFormatException e) {
                assertTrue(e.offset() <= len, e.getMessage());
                assertTrue(e.field().startsWith("TPMS_ATTEST"), e.field());
            }
        }
    }

    @Test
    void clockInfoTellsSameBootCycleFromReboot() throws Exception {
        ClockInfo valid = TpmAttest.parse(attest).clockInfo();
        ClockInfo ecc = TpmAttest.parse(TestData.bytes("quotes/swtpm/ecc_valid/quote.msg")).clockInfo();
        ClockInfo gcp = TpmAttest.parse(TestData.bytes("quotes/go-attestation-gcp-windows/quote.msg")).clockInfo();
        assertTrue(ecc.continuesFrom(valid), "quoted later on the same swtpm without a reset");
        assertFalse(valid.continuesFrom(ecc), "clock would run backwards");
        assertFalse(gcp.sameBootCycleAs(valid));
        assertEquals(new ClockInfo(10257171L, 1045281252L, 822490842L, true), gcp);
    }

    private static PcrValues.Builder copy(PcrValues v) {
        PcrValues.Builder b = PcrValues.builder();
        for (HashAlgorithm h : v.banks()) {
            for (int i : v.indices(h)) {
                b.put(h, i, v.get(h, i).orElseThrow());
            }
        }
        return b;
    }
}
