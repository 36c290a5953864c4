package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.tpm.TpmWire.FIXED_TPM;
import static org.vtpmmigrate.tpm.TpmWire.RESTRICTED;
import static org.vtpmmigrate.tpm.TpmWire.SIGN;

import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/** TPM2_Quote with ECC and RSA attestation keys, checked with JDK crypto only. */
class QuoteTest extends SwtpmPerClassTest {

    QuoteTest() {
        super(SwtpmProcess.builder().pcrBanks("sha1", "sha256"));
    }

    @Test
    void eccQuoteVerifiesAndCarriesTheNonceAndThePcrDigest() throws Exception {
        tpm.pcrEvent(16, "quoted state".getBytes());
        PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 16)
                .add(PcrBank.SHA1, 16).build();
        byte[] nonce = randomBytes(32);
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            TpmWire.PublicArea akPublic = TpmWire.parsePublic(ak.keyPublic().tpm2bPublic());
            assertTrue(akPublic.key() instanceof ECPublicKey);
            assertEquals(FIXED_TPM | RESTRICTED | SIGN, akPublic.attributes() & (FIXED_TPM | RESTRICTED | SIGN));

            PcrValues values = tpm.readPcrs(selection);
            SignedAttestation quote = tpm.quote(ak, nonce, selection);

            assertTrue(TpmWire.verify(akPublic.key(), quote.attest(), quote.signature()), "quote signature");
            TpmWire.Attest attest = TpmWire.parseAttest(quote.attest());
            assertEquals(TpmWire.TPM_GENERATED_VALUE, attest.magic());
            assertEquals(TpmWire.TPM_ST_ATTEST_QUOTE, attest.type());
            assertArrayEquals(nonce, attest.extraData(), "extraData is the caller's nonce");
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            values.valuesInSelectionOrder().forEach(sha256::update);
            assertArrayEquals(sha256.digest(),
                    TpmWire.quotePcrDigest(attest.attested(), TpmWire.tpmlPcrSelection(selection)),
                    "pcrDigest is the hash of the values read, in selection order");
        }
    }

    @Test
    void alteredAttestationDoesNotVerify() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            SignedAttestation quote = tpm.quote(ak, randomBytes(32), PcrSelection.of(PcrBank.SHA256, 16));
            byte[] altered = quote.attest();
            altered[altered.length - 1] ^= 1;
            TpmWire.PublicArea akPublic = TpmWire.parsePublic(ak.keyPublic().tpm2bPublic());
            assertTrue(TpmWire.verify(akPublic.key(), quote.attest(), quote.signature()));
            assertFalse(TpmWire.verify(akPublic.key(), altered, quote.signature()));
        }
    }

    @Test
    void rsaQuoteVerifies() throws Exception {
        byte[] nonce = randomBytes(20);
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.RSA_2048)) {
            TpmWire.PublicArea akPublic = TpmWire.parsePublic(ak.keyPublic().tpm2bPublic());
            assertEquals(2048, ((RSAPublicKey) akPublic.key()).getModulus().bitLength());
            SignedAttestation quote = tpm.quote(ak, nonce, PcrSelection.allPcrs(PcrBank.SHA256));
            assertTrue(TpmWire.verify(akPublic.key(), quote.attest(), quote.signature()), "RSA quote signature");
            assertArrayEquals(nonce, TpmWire.parseAttest(quote.attest()).extraData());
        }
    }

    @Test
    void attestationKeyNameIsTheNameOfItsPublicArea() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            byte[] tpm2bPublic = ak.keyPublic().tpm2bPublic();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ak.keyPublic().tpmtPublic());
            byte[] name = ak.keyPublic().name();
            assertEquals(34, name.length);
            assertEquals(0x000B, ((name[0] & 0xFF) << 8) | (name[1] & 0xFF), "nameAlg sha256");
            assertArrayEquals(digest, Arrays.copyOfRange(name, 2, 34));
            assertEquals(tpm2bPublic.length - 2, ((tpm2bPublic[0] & 0xFF) << 8) | (tpm2bPublic[1] & 0xFF));
        }
    }

    @Test
    void attestationKeyIsTheSameKeyEachTimeItIsCreated() throws Exception {
        TpmKeyPublic first;
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            first = ak.keyPublic();
        }
        tpm.close();
        tpm = connect();
        try (AttestationKey again = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            assertEquals(first, again.keyPublic());
        }
    }

    @Test
    void nonceLongerThanTheTpmAcceptsIsRefusedBeforeSending() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> tpm.quote(ak, new byte[67], PcrSelection.of(PcrBank.SHA256, 0)));
            assertTrue(failure.getMessage().contains("67"), failure.getMessage());
        }
    }

    @Test
    void flushedKeyCannotQuote() throws Exception {
        AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
        ak.close();
        assertFalse(ak.isOpen());
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> tpm.quote(ak, new byte[32], PcrSelection.of(PcrBank.SHA256, 0)));
        assertTrue(failure.getMessage().contains("flushed"), failure.getMessage());
        ak.close(); // closing twice does nothing
    }

    @Test
    void keyOfAnotherConnectionIsRefused() throws Exception {
        AttestationKey foreign = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
        tpm.close();
        assertFalse(foreign.isOpen(), "closing the connection closes its keys");
        tpm = connect();
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> tpm.quote(foreign, new byte[32], PcrSelection.of(PcrBank.SHA256, 0)));
        assertTrue(failure.getMessage().contains("not created on this connection"), failure.getMessage());
    }
}
