package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.tpm.TpmWire.DECRYPT;
import static org.vtpmmigrate.tpm.TpmWire.FIXED_PARENT;
import static org.vtpmmigrate.tpm.TpmWire.FIXED_TPM;
import static org.vtpmmigrate.tpm.TpmWire.SENSITIVE_DATA_ORIGIN;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import javax.crypto.KeyAgreement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.internal.TssTpmConnection;

/**
 * The PCR-bound key of phase 3: create, certify, ECDH_ZGen agreeing with software ECDH, and
 * refusal once a bound PCR changes.
 */
class BoundKeyTest extends SwtpmPerClassTest {

    BoundKeyTest() {
        super(SwtpmProcess.builder().pcrBanks("sha1", "sha256"));
    }

    @Test
    void createCertifyZGenThenPcrChangeMakesZGenFail() throws Exception {
        PcrSelection selection = PcrSelection.of(PcrBank.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 16);
        PcrValues attested = tpm.readPcrs(selection);
        byte[] transcriptHash = MessageDigest.getInstance("SHA-256").digest(randomBytes(64));

        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
                BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY)) {
            TpmWire.PublicArea keyPublic = TpmWire.parsePublic(key.keyPublic().tpm2bPublic());
            assertEquals(FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | DECRYPT, keyPublic.attributes(),
                    "exactly fixedTPM|fixedParent|sensitiveDataOrigin|decrypt, no userWithAuth");
            assertArrayEquals(key.authPolicy(), keyPublic.authPolicy());

            // Certify: signed by the AK, over the bound key's name and the caller's data.
            SignedAttestation certification = tpm.certify(key, ak, transcriptHash);
            TpmWire.PublicArea akPublic = TpmWire.parsePublic(ak.keyPublic().tpm2bPublic());
            assertTrue(TpmWire.verify(akPublic.key(), certification.attest(), certification.signature()));
            TpmWire.Attest attest = TpmWire.parseAttest(certification.attest());
            assertEquals(TpmWire.TPM_ST_ATTEST_CERTIFY, attest.type());
            assertArrayEquals(transcriptHash, attest.extraData());
            byte[] expectedName = concat(new byte[] {0x00, 0x0B},
                    MessageDigest.getInstance("SHA-256").digest(key.keyPublic().tpmtPublic()));
            assertArrayEquals(expectedName, TpmWire.certifiedName(attest.attested()));
            assertArrayEquals(expectedName, key.keyPublic().name());

            // ZGen: the TPM's Z equals software ECDH with the bound key's public point.
            KeyPair peer = p256KeyPair();
            byte[] tpmZ = tpm.ecdhZGen(key, ((ECPublicKey) peer.getPublic()).getW());
            assertEquals(32, tpmZ.length);
            assertArrayEquals(softwareEcdh(peer, (ECPublicKey) keyPublic.key()), tpmZ);

            // A PCR of the selection moves on: the key is unusable.
            tpm.pcrEvent(16, "something else was loaded".getBytes());
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.ecdhZGen(key, ((ECPublicKey) peer.getPublic()).getW()));
            assertEquals(TpmException.Kind.TPM_ERROR, failure.kind());
            String code = failure.responseCode().orElseThrow().name();
            assertTrue(List.of("TPM_RC_VALUE", "TPM_RC_POLICY_FAIL").contains(code), failure.getMessage());
            assertTrue(failure.getMessage().contains(String.format("bound key 0x%08x", key.handle())), failure.getMessage());
            assertTrue(failure.getMessage().contains("no longer hold the values"), failure.getMessage());
        }
    }

    @Test
    void keyWithCommandCodePolicyDoesZGenAcrossTwoBanks() throws Exception {
        PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA256, 7, 16, 23).add(PcrBank.SHA1, 0, 16).build();
        tpm.pcrEvent(23, "application state".getBytes());
        PcrValues attested = tpm.readPcrs(selection);
        try (BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_AND_ECDH_ZGEN)) {
            KeyPair peer = p256KeyPair();
            TpmWire.PublicArea keyPublic = TpmWire.parsePublic(key.keyPublic().tpm2bPublic());
            assertArrayEquals(softwareEcdh(peer, (ECPublicKey) keyPublic.key()),
                    tpm.ecdhZGen(key, ((ECPublicKey) peer.getPublic()).getW()));
            assertEquals(BoundKeyPolicy.PCR_AND_ECDH_ZGEN, key.policy());
            assertEquals(attested, key.boundValues());
        }
    }

    @Test
    void keyBoundToValuesThePcrsNoLongerHoldIsCreatedButUnusable() throws Exception {
        PcrSelection selection = PcrSelection.of(PcrBank.SHA256, 16);
        PcrValues attested = tpm.readPcrs(selection);
        tpm.pcrEvent(16, "changed between quote and key creation".getBytes());
        try (BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY)) {
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.ecdhZGen(key, ((ECPublicKey) p256KeyPair().getPublic()).getW()));
            assertEquals("TPM_RC_VALUE", failure.responseCode().orElseThrow().name(), failure.getMessage());
        }
    }

    @Test
    void authPolicyEqualsTheDigestTpm2ToolsComputesWithATrialSession(@TempDir Path dir) throws Exception {
        PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA256, 0, 7, 16).add(PcrBank.SHA1, 16).build();
        tpm.pcrEvent(16, "policy".getBytes());
        PcrValues attested = tpm.readPcrs(selection);
        byte[] authPolicy;
        try (BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_AND_ECDH_ZGEN)) {
            authPolicy = key.authPolicy();
        }
        tpm.close(); // swtpm serves one client at a time

        Path pcrValues = dir.resolve("pcrs.bin");
        Files.write(pcrValues, concat(attested.valuesInSelectionOrder().toArray(byte[][]::new)));
        Path session = dir.resolve("session.ctx");
        Path digest = dir.resolve("policy.digest");
        swtpm.runToolsThenFlush(List.of("tpm2_startauthsession", "-S", session.toString()),
                List.of("tpm2_policypcr", "-S", session.toString(), "-l", "sha256:0,7,16+sha1:16", "-f",
                        pcrValues.toString()),
                List.of("tpm2_policycommandcode", "-S", session.toString(), "-L", digest.toString(),
                        "TPM2_CC_ECDH_ZGen"))
                .forEach(ProcessResult::requireSuccess);
        assertEquals(HexFormat.of().formatHex(Files.readAllBytes(digest)), HexFormat.of().formatHex(authPolicy));
        tpm = connect();
    }

    @Test
    void peerPointOffTheCurveIsRefusedByTheTpm() throws Exception {
        PcrValues attested = tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 16));
        try (BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY)) {
            ECPoint offCurve = new ECPoint(BigInteger.ONE, BigInteger.TWO);
            TpmException failure = assertThrows(TpmException.class, () -> tpm.ecdhZGen(key, offCurve));
            assertEquals("TPM_RC_ECC_POINT", failure.responseCode().orElseThrow().name(), failure.getMessage());
            // The failed command left the policy session behind; it was flushed.
            assertEquals(Set.of(key.handle()), ((TssTpmConnection) tpm).loadedHandles());
        }
    }

    @Test
    void creatingBeyondTheTpmsObjectSlotsFailsClearlyAndLeavesNothingBehind() throws Exception {
        PcrValues attested = tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 16));
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
                BoundDecryptionKey first = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY)) {
            // swtpm has three object slots: AK, first key, SRK; Create needs a fourth.
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY));
            assertEquals("TPM_RC_OBJECT_MEMORY", failure.responseCode().orElseThrow().name(), failure.getMessage());
            assertTrue(failure.getMessage().contains("2 keys open"), failure.getMessage());
            assertEquals(Set.of(ak.handle(), first.handle()), ((TssTpmConnection) tpm).loadedHandles(),
                    "the storage root key was flushed after the failure");
            // Once the first key is gone, a new one fits again.
            first.close();
            try (BoundDecryptionKey second = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY)) {
                assertTrue(second.isOpen());
            }
        }
    }

    @Test
    void flushedBoundKeyCannotBeUsed() throws Exception {
        PcrValues attested = tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 16));
        BoundDecryptionKey key = tpm.createPcrBoundDecryptionKey(attested, BoundKeyPolicy.PCR_ONLY);
        key.close();
        assertFalse(key.isOpen());
        assertThrows(IllegalStateException.class,
                () -> tpm.ecdhZGen(key, ((ECPublicKey) p256KeyPair().getPublic()).getW()));
        assertTrue(tpm.isOpen());
        assertEquals(Set.of(), ((TssTpmConnection) tpm).loadedHandles(), "nothing left loaded");
    }

    private static KeyPair p256KeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static byte[] softwareEcdh(KeyPair own, ECPublicKey peer) throws Exception {
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(own.getPrivate());
        agreement.doPhase(peer, true);
        return agreement.generateSecret();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }
}
