package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.internal.TssTpmConnection;

/**
 * Signing arbitrary data with ECC and RSA attestation keys on a real swtpm: the TPM hashes the data
 * (TPM2_Hash up to 1024 bytes, a hash sequence beyond) with a ticket, then TPM2_Sign. Signatures are
 * checked with JDK crypto only.
 */
class AttestationKeySignTest extends SwtpmPerClassTest {

    /** Empty, one byte, one TPM2_Hash buffer, the smallest hash sequence, and a long sequence. */
    private static final int[] SIZES = {0, 1, 1024, 1025, 100_000};
    private static final byte[] TPM_GENERATED_VALUE = {(byte) 0xFF, 'T', 'C', 'G'};

    AttestationKeySignTest() {
        super(SwtpmProcess.builder());
    }

    static Stream<Arguments> keysAndSizes() {
        return Stream.of(AkAlgorithm.values())
                .flatMap(algorithm -> Arrays.stream(SIZES).mapToObj(size -> Arguments.of(algorithm, size)));
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("keysAndSizes")
    void signatureVerifiesOverTheSha256OfTheData(AkAlgorithm algorithm, int size) throws Exception {
        byte[] data = ordinaryData(size);
        try (AttestationKey ak = tpm.createAttestationKey(algorithm)) {
            byte[] signature = tpm.sign(ak, data);

            ByteBuffer header = ByteBuffer.wrap(signature);
            assertEquals(algorithm == AkAlgorithm.ECC_NIST_P256 ? TpmWire.TPM_ALG_ECDSA : TpmWire.TPM_ALG_RSASSA,
                    TpmWire.u16(header), "sigAlg is the key's scheme");
            assertEquals(0x000B, TpmWire.u16(header), "hashAlg sha256");
            TpmWire.PublicArea akPublic = TpmWire.parsePublic(ak.keyPublic().tpm2bPublic());
            assertTrue(TpmWire.verify(akPublic.key(), data, signature), "signature over SHA-256 of the data");
            assertFalse(TpmWire.verify(akPublic.key(), Arrays.copyOf(data, size + 1), signature),
                    "the signature does not cover one more byte");
            assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpm).loadedHandles(),
                    "only the attestation key is loaded after signing");
        }
    }

    @Test
    void rsaSignatureIsByteForByteWhatTpm2SignMakesWithTheSameKey() throws Exception {
        // RSASSA-PKCS1-v1_5 is deterministic: the same key and data must give the same TPMT_SIGNATURE.
        byte[] data = ordinaryData(3000);
        byte[] signature;
        byte[] akPublic;
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.RSA_2048)) {
            signature = tpm.sign(ak, data);
            akPublic = ak.keyPublic().tpm2bPublic();
        }
        tpm.close(); // swtpm serves one client at a time
        Path directory = swtpm.workingDirectory();
        Files.write(directory.resolve("message.bin"), data);
        // Each tool loads ak.ctx again: flushing after each keeps swtpm's three object slots free.
        swtpm.runToolThenFlush("tpm2_createprimary", "-C", "e", "-g", "sha256", "-G", "rsa2048:rsassa-sha256:null",
                "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign", "-c", "ak.ctx")
                .requireSuccess();
        swtpm.runToolThenFlush("tpm2_readpublic", "-c", "ak.ctx", "-o", "ak.pub").requireSuccess();
        swtpm.runToolThenFlush("tpm2_sign", "-c", "ak.ctx", "-g", "sha256", "-o", "signature.bin", "message.bin")
                .requireSuccess();
        assertArrayEquals(akPublic, Files.readAllBytes(directory.resolve("ak.pub")), "tpm2-tools made the same AK");
        assertArrayEquals(Files.readAllBytes(directory.resolve("signature.bin")), signature);
        tpm = connect();
    }

    static Stream<Arguments> keysAndMagicPrefixedSizes() {
        return Stream.of(AkAlgorithm.values())
                .flatMap(algorithm -> Stream.of(4, 200, 5000).map(size -> Arguments.of(algorithm, size)));
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("keysAndMagicPrefixedSizes")
    void dataBeginningWithTpmGeneratedValueIsRefusedWithTpmRcTicket(AkAlgorithm algorithm, int size)
            throws Exception {
        byte[] data = ordinaryData(size);
        System.arraycopy(TPM_GENERATED_VALUE, 0, data, 0, TPM_GENERATED_VALUE.length);
        try (AttestationKey ak = tpm.createAttestationKey(algorithm)) {
            TpmException failure = assertThrows(TpmException.class, () -> tpm.sign(ak, data));

            assertEquals(TpmException.Kind.TPM_ERROR, failure.kind(), failure.getMessage());
            assertEquals("TPM_RC_TICKET", failure.responseCode().orElseThrow().name(), failure.getMessage());
            assertTrue(failure.getMessage().startsWith("Sign of " + size + " bytes with attestation key 0x8"),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("begins with TPM_GENERATED_VALUE (0xff544347)"),
                    failure.getMessage());
            assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpm).loadedHandles(),
                    "only the attestation key is loaded after the refusal");

            data[0] = 0x00;
            assertTrue(TpmWire.verify(TpmWire.parsePublic(ak.keyPublic().tpm2bPublic()).key(), data,
                    tpm.sign(ak, data)), "the key still signs once the data no longer begins with the magic");
        }
    }

    @Test
    void dataShorterThanTpmGeneratedValueIsSignedEvenIfItMatchesItsStart() throws Exception {
        byte[] data = Arrays.copyOf(TPM_GENERATED_VALUE, 3);
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            assertTrue(TpmWire.verify(TpmWire.parsePublic(ak.keyPublic().tpm2bPublic()).key(), data,
                    tpm.sign(ak, data)));
        }
    }

    @Test
    void largestAllowedDataIsSignedAndOneByteMoreIsRefusedBeforeSending() throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            byte[] largest = ordinaryData(TpmConnection.MAX_SIGNED_DATA);
            assertTrue(TpmWire.verify(TpmWire.parsePublic(ak.keyPublic().tpm2bPublic()).key(), largest,
                    tpm.sign(ak, largest)), "1 MiB signature");

            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> tpm.sign(ak, new byte[TpmConnection.MAX_SIGNED_DATA + 1]));
            assertTrue(failure.getMessage().contains((TpmConnection.MAX_SIGNED_DATA + 1) + " bytes exceeds "
                    + TpmConnection.MAX_SIGNED_DATA), failure.getMessage());
            assertEquals(Set.of(ak.handle()), ((TssTpmConnection) tpm).loadedHandles());
        }
    }

    @Test
    void hashSequenceFitsBesideTheAttestationKeyAndABoundKey() throws Exception {
        byte[] data = ordinaryData(5000);
        try (AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
                BoundDecryptionKey bound = tpm.createPcrBoundDecryptionKey(
                        tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 16)), BoundKeyPolicy.PCR_ONLY)) {
            assertTrue(TpmWire.verify(TpmWire.parsePublic(ak.keyPublic().tpm2bPublic()).key(), data,
                    tpm.sign(ak, data)));
            assertEquals(Set.of(ak.handle(), bound.handle()), ((TssTpmConnection) tpm).loadedHandles());
        }
    }

    @Test
    void flushedKeyCannotSign() throws Exception {
        AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
        ak.close();
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> tpm.sign(ak, new byte[8]));
        assertTrue(failure.getMessage().contains("flushed"), failure.getMessage());
    }

    @ParameterizedTest
    @EnumSource(AkAlgorithm.class)
    void signingLeavesNoTransientObjectOrSessionInTheTpm(AkAlgorithm algorithm) throws Exception {
        try (AttestationKey ak = tpm.createAttestationKey(algorithm)) {
            for (int size : SIZES) {
                tpm.sign(ak, ordinaryData(size));
                byte[] refused = ordinaryData(Math.max(size, TPM_GENERATED_VALUE.length));
                System.arraycopy(TPM_GENERATED_VALUE, 0, refused, 0, TPM_GENERATED_VALUE.length);
                assertThrows(TpmException.class, () -> tpm.sign(ak, refused));
            }
        }
        tpm.close();
        assertEquals(List.of(), HandleLeakTest.handles(swtpm, "handles-transient"), "transient objects left");
        assertEquals(List.of(), HandleLeakTest.handles(swtpm, "handles-loaded-session"), "sessions left");
        assertTrue(HandleLeakTest.handles(swtpm, "handles-persistent").contains("0x81010001"),
                "the handle listing is read correctly (the persistent EK shows)");
        tpm = connect();
    }

    /** Random data that does not begin with TPM_GENERATED_VALUE. */
    private byte[] ordinaryData(int size) {
        byte[] data = randomBytes(size);
        if (size > 0) {
            data[0] &= 0x7F;
        }
        return data;
    }
}
