package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.TestCorpus;
import org.vtpmmigrate.testsupport.TestData;
import org.vtpmmigrate.testsupport.Tpm2ToolsOutput;

/** Decoding of TPM structures from real files, compared with what tpm2-tools printed for them. */
class TpmStructuresTest {
    private static final Set<ObjectAttribute> AK_ATTRIBUTES = EnumSet.of(ObjectAttribute.FIXED_TPM,
            ObjectAttribute.FIXED_PARENT, ObjectAttribute.SENSITIVE_DATA_ORIGIN, ObjectAttribute.USER_WITH_AUTH,
            ObjectAttribute.RESTRICTED, ObjectAttribute.SIGN_ENCRYPT);

    @Test
    void rsaAkMatchesReadpublicOutput() throws Exception {
        TpmPublic ak = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ak.pub.tss"));
        String yaml = TestData.text("quotes/swtpm/common/ak.readpublic.yaml");
        assertEquals(TpmPublic.Type.RSA, ak.type());
        assertEquals(HashAlgorithm.SHA256, ak.nameAlg());
        assertEquals(AK_ATTRIBUTES, ak.attributes());
        assertEquals(0x50072L, ObjectAttribute.toBits(ak.attributes()));
        TpmPublic.RsaDetails rsa = (TpmPublic.RsaDetails) ak.details();
        assertNull(rsa.symmetric());
        assertEquals(new TpmPublic.Scheme(TpmScheme.RSASSA, HashAlgorithm.SHA256), rsa.scheme());
        assertEquals(2048, rsa.keyBits());
        assertEquals(Tpm2ToolsOutput.field(yaml, "rsa"), HexFormat.of().formatHex(rsa.modulus()));
        assertEquals(Tpm2ToolsOutput.field(yaml, "name"), HexFormat.of().formatHex(ak.name()));
        assertArrayEquals(TestData.bytes("quotes/swtpm/common/ak.name"), ak.name());
        PublicKey pem = Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/swtpm/common/ak.pub.pem"));
        assertEquals(pem, ak.toPublicKey());
        assertArrayEquals(TestData.bytes("quotes/swtpm/common/ak.pub.tss"), ak.encodedTpm2b());
    }

    @Test
    void eccAkMatchesReadpublicOutput() throws Exception {
        TpmPublic ak = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/akecc.pub.tss"));
        String yaml = TestData.text("quotes/swtpm/common/akecc.readpublic.yaml");
        assertEquals(TpmPublic.Type.ECC, ak.type());
        assertEquals(AK_ATTRIBUTES, ak.attributes());
        TpmPublic.EccDetails ecc = (TpmPublic.EccDetails) ak.details();
        assertEquals(EccCurve.NIST_P256, ecc.curve());
        assertEquals(new TpmPublic.Scheme(TpmScheme.ECDSA, HashAlgorithm.SHA256), ecc.scheme());
        assertEquals(TpmPublic.Scheme.NULL, ecc.kdf());
        assertEquals(Tpm2ToolsOutput.field(yaml, "x"), HexFormat.of().formatHex(ecc.x()));
        assertEquals(Tpm2ToolsOutput.field(yaml, "y"), HexFormat.of().formatHex(ecc.y()));
        assertArrayEquals(TestData.bytes("quotes/swtpm/common/akecc.name"), ak.name());
        assertEquals(Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/swtpm/common/akecc.pub.pem")), ak.toPublicKey());
    }

    @Test
    void rsaEkIsTheStandardTemplateInstance() throws Exception {
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/swtpm/common/ek.pub"));
        assertEquals(EnumSet.of(ObjectAttribute.FIXED_TPM, ObjectAttribute.FIXED_PARENT,
                ObjectAttribute.SENSITIVE_DATA_ORIGIN, ObjectAttribute.ADMIN_WITH_POLICY, ObjectAttribute.RESTRICTED,
                ObjectAttribute.DECRYPT), ek.attributes());
        // TCG EK Credential Profile, template L-1: PolicySecret(TPM_RH_ENDORSEMENT)
        assertEquals("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa",
                HexFormat.of().formatHex(ek.authPolicy()));
        TpmPublic.RsaDetails rsa = (TpmPublic.RsaDetails) ek.details();
        assertEquals(new TpmPublic.Symmetric(TpmPublic.SymmetricAlgorithm.AES, 128, TpmPublic.CipherMode.CFB), rsa.symmetric());
        assertEquals(TpmPublic.Scheme.NULL, rsa.scheme());
        assertEquals(Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/swtpm/common/ek.pub.pem")), ek.toPublicKey());
    }

    @Test
    void keylimeAndGcpPublicAreas() throws Exception {
        TpmPublic ak = TpmPublic.parseTpm2b(TestData.bytes("quotes/keylime/ak.pub"));
        assertArrayEquals(TestData.bytes("quotes/keylime/ak.name"), ak.name());
        assertEquals(Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/keylime/akpub.pem")), ak.toPublicKey());
        TpmPublic ek = TpmPublic.parseTpm2b(TestData.bytes("quotes/keylime/ek.pub"));
        assertEquals(Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/keylime/ekpub.pem")), ek.toPublicKey());

        TpmPublic gcp2b = TpmPublic.parseTpm2b(TestData.bytes("quotes/go-attestation-gcp-windows/ak.tpm2b_public.bin"));
        TpmPublic gcpt = TpmPublic.parse(TestData.bytes("quotes/go-attestation-gcp-windows/ak.tpmt_public.bin"));
        assertEquals(gcp2b, gcpt);
        assertEquals(new TpmPublic.Scheme(TpmScheme.RSASSA, HashAlgorithm.SHA1), ((TpmPublic.RsaDetails) gcpt.details()).scheme());
        assertTrue(gcpt.has(ObjectAttribute.RESTRICTED) && gcpt.has(ObjectAttribute.SIGN_ENCRYPT));
        assertEquals(Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/go-attestation-gcp-windows/ak.pub.pem")),
                gcpt.toPublicKey());
    }

    @Test
    void sealedObjectCarriesThePcrPolicy() throws Exception {
        TpmPublic seal = TpmPublic.parseTpm2b(TestData.bytes("seal/seal.pub"));
        assertEquals(TpmPublic.Type.KEYEDHASH, seal.type());
        assertEquals(EnumSet.of(ObjectAttribute.FIXED_TPM, ObjectAttribute.FIXED_PARENT), seal.attributes());
        assertArrayEquals(TestData.bytes("seal/pcr.policy"), seal.authPolicy());
        TpmPublic.KeyedHashDetails kh = (TpmPublic.KeyedHashDetails) seal.details();
        assertEquals(TpmPublic.Scheme.NULL, kh.scheme());
        assertEquals(Tpm2ToolsOutput.field(TestData.text("seal/seal.pub.yaml"), "keyedhash"), HexFormat.of().formatHex(kh.unique()));
        assertThrows(java.security.InvalidKeyException.class, seal::toPublicKey);
    }

    @Test
    void signaturesDecode() throws Exception {
        TpmSignature ecdsa = TpmSignature.parse(TestData.bytes("quotes/swtpm/ecc_valid/quote.sig"));
        assertEquals(TpmScheme.ECDSA, ecdsa.scheme());
        assertEquals(HashAlgorithm.SHA256, ecdsa.hash());
        // tpm2_quote printed the DER form of (r, s)
        String transcript = TestData.text("quotes/swtpm/transcript.txt");
        String der = transcript.substring(transcript.indexOf("sig: 3044") + 5).lines().findFirst().orElseThrow().trim();
        assertEquals(der, HexFormat.of().formatHex(ecdsa.jcaEncoding()));
        TpmSignature rsa = TpmSignature.parse(TestData.bytes("quotes/rust-keylime/quote.sig"));
        assertEquals(TpmScheme.RSASSA, rsa.scheme());
        assertEquals(HashAlgorithm.SHA1, rsa.hash());
        assertEquals(256, rsa.jcaEncoding().length);
    }

    @Test
    void attestFieldsMatchTpm2Print() throws Exception {
        TpmAttest a = TpmAttest.parse(TestData.bytes("quotes/swtpm/valid/quote.msg"));
        String yaml = TestData.text("quotes/swtpm/valid/quote.msg.yaml");
        assertEquals(TpmAttest.Type.QUOTE, a.type());
        assertEquals(Tpm2ToolsOutput.field(yaml, "qualifiedSigner"), HexFormat.of().formatHex(a.qualifiedSigner()));
        assertEquals(Tpm2ToolsOutput.field(yaml, "extraData"), HexFormat.of().formatHex(a.extraData()));
        // tpm2_print dumps the UINT64 in host (little-endian) byte order; on the wire it is 0x2019102300163636
        assertEquals(0x2019102300163636L, a.firmwareVersion());
        assertEquals(Tpm2ToolsOutput.field(yaml, "firmwareVersion"), String.format("%016x", Long.reverseBytes(a.firmwareVersion())));
        TpmAttest.QuoteInfo q = a.quoteInfo().orElseThrow();
        assertEquals(Tpm2ToolsOutput.field(yaml, "pcrDigest"), HexFormat.of().formatHex(q.pcrDigest()));
        assertEquals(PcrSelection.parseSpec("sha1:0-10,14,16+sha256:0-10,14,16,23"), q.pcrSelection());
        assertEquals(List.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256), q.pcrSelection().banks());
        assertTrue(a.certifyInfo().isEmpty());
    }

    @Test
    void everyTruncationOfAPublicAreaIsAFormatError() {
        byte[] full = TestData.bytes("quotes/swtpm/common/ak.pub.tss");
        for (int len = 0; len < full.length; len++) {
            byte[] cut = Arrays.copyOf(full, len);
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmPublic.parseTpm2b(cut), "length " + len);
            assertTrue(e.field().startsWith("TPM2B_PUBLIC"), e.field());
        }
        TpmFormatException e = assertThrows(TpmFormatException.class,
                () -> TpmPublic.parseTpm2b(Arrays.copyOf(full, 100)));
        assertEquals("TPM2B_PUBLIC.publicArea.size", e.field());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("exceeds the 98 bytes left"), e.getMessage());
    }

    @Test
    void sizesAboveTheFieldMaximumAreRefused() {
        byte[] t = tpmtOf("quotes/swtpm/common/ak.pub.tss");
        t[8] = 0;
        t[9] = 65; // authPolicy.size: 65 > 64
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmPublic.parse(t));
        assertEquals("TPMT_PUBLIC.authPolicy.size", e.field());
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("exceeds the maximum 64"), e.getMessage());
    }

    @Test
    void reservedAttributeBitsAreRefused() {
        byte[] t = tpmtOf("quotes/swtpm/common/ak.pub.tss");
        t[7] |= 0x01; // bit 0 of TPMA_OBJECT is reserved
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmPublic.parse(t));
        assertEquals("TPMT_PUBLIC.objectAttributes", e.field());
        assertEquals(4, e.offset());
    }

    @Test
    void eccPointOffTheCurveIsRefused() {
        byte[] t = tpmtOf("quotes/swtpm/common/akecc.pub.tss");
        t[t.length - 1] ^= 1; // last byte of y
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmPublic.parse(t));
        assertTrue(e.getMessage().contains("not on curve NIST_P256"), e.getMessage());
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] t = tpmtOf("quotes/swtpm/common/ak.pub.tss");
        byte[] longer = Arrays.copyOf(t, t.length + 2);
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmPublic.parse(longer));
        assertEquals(t.length, e.offset());
        assertTrue(e.getMessage().contains("2 unexpected trailing bytes"), e.getMessage());
    }

    @Test
    void pcrSelectionMarshalsLikeTheTpm() throws Exception {
        PcrSelection s = PcrSelection.parseSpec("sha256:0,7,16,23");
        assertEquals("00000001000b03810081", HexFormat.of().formatHex(s.marshal()));
        assertEquals(s, PcrSelection.parse(s.marshal()));
        assertEquals("sha256:0,7,16,23", s.toString());
        assertEquals("sha1:0-10,14,16+sha256:0-3", PcrSelection.parseSpec("sha1:0-10,14,16+sha256:0,1,2,3").toString());
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.parseSpec("sha256:24"));
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.parseSpec("md5:1"));
    }

    /** TPMs report banks with nothing selected; they cover no PCR and do not change what a quote covers. */
    @Test
    void emptyBanksDoNotChangeTheSelectedPcrs() throws Exception {
        PcrSelection withEmpty = PcrSelection.parse(HexFormat.of().parseHex("00000002" + "000403000000" + "000b03010000"));
        assertEquals(List.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256), withEmpty.banks());
        assertTrue(withEmpty.selectsSamePcrsAs(PcrSelection.parseSpec("sha256:0")));
        assertEquals(1, withEmpty.size());
        assertArrayEquals(HexFormat.of().parseHex("00000002" + "000403000000" + "000b03010000"), withEmpty.marshal());
    }

    @Test
    void malformedPcrSelectionsAreRefused() {
        TpmFormatException dup = assertThrows(TpmFormatException.class,
                () -> PcrSelection.parse(HexFormat.of().parseHex("00000002" + "000b03010000" + "000b03020000")));
        assertTrue(dup.getMessage().contains("selected twice"), dup.getMessage());
        TpmFormatException high = assertThrows(TpmFormatException.class,
                () -> PcrSelection.parse(HexFormat.of().parseHex("00000001000b0400000001")));
        assertTrue(high.getMessage().contains("PCR 24 selected"), high.getMessage());
        TpmFormatException many = assertThrows(TpmFormatException.class,
                () -> PcrSelection.parse(HexFormat.of().parseHex("00000011")));
        assertTrue(many.getMessage().contains("count 17 exceeds the maximum 16"), many.getMessage());
        TpmFormatException unknown = assertThrows(TpmFormatException.class,
                () -> PcrSelection.parse(HexFormat.of().parseHex("00000001000103000000")));
        assertEquals("TPML_PCR_SELECTION.pcrSelections[0].hash", unknown.field());
    }

    @Test
    void serializedPcrFileInconsistenciesAreRefused() {
        byte[] valid = TestData.bytes("quotes/keylime/quotepcr.out");
        // claims 4 digests in the only list while 3 PCRs are selected
        byte[] more = valid.clone();
        more[136] = 4;
        TpmFormatException e1 = assertThrows(TpmFormatException.class, () -> Tpm2ToolsFiles.readSerializedPcrs(more));
        assertTrue(e1.getMessage().contains("more digests than the 3 selected PCRs"), e1.getMessage());
        byte[] fewer = valid.clone();
        fewer[136] = 2;
        TpmFormatException e2 = assertThrows(TpmFormatException.class, () -> Tpm2ToolsFiles.readSerializedPcrs(fewer));
        assertTrue(e2.getMessage().contains("only 2 digests for 3 selected PCRs"), e2.getMessage());
        byte[] size = valid.clone();
        size[140] = 20; // first digest claims SHA-1 length in the sha256 bank
        TpmFormatException e3 = assertThrows(TpmFormatException.class, () -> Tpm2ToolsFiles.readSerializedPcrs(size));
        assertTrue(e3.getMessage().contains("digest of 20 bytes for PCR sha256:15"), e3.getMessage());
        assertThrows(TpmFormatException.class, () -> Tpm2ToolsFiles.readSerializedPcrs(Arrays.copyOf(valid, 600)));
    }

    @Test
    void pcrValuesFileNeedsExactlyTheSelectedDigests() throws Exception {
        PcrSelection sel = PcrSelection.parseSpec("sha256:0,7,16,23");
        PcrValues v = Tpm2ToolsFiles.readPcrValues(TestData.bytes("seal/pcrs_at_seal.bin"), sel);
        assertEquals(TestCorpus.tpm2ToolsPcrs(TestData.resolve("seal/pcrs_at_seal.yaml")), v);
        assertThrows(TpmFormatException.class,
                () -> Tpm2ToolsFiles.readPcrValues(TestData.bytes("seal/pcrs_at_seal.bin"), PcrSelection.parseSpec("sha256:0,7,16")));
    }

    @Test
    void publicKeyFilesOtherThanPublicKeysAreRefused() {
        assertThrows(TpmFormatException.class,
                () -> Tpm2ToolsFiles.readPublicKey(TestData.bytes("quotes/swtpm/common/ek_rsa_cert.pem")));
        assertThrows(TpmFormatException.class, () -> Tpm2ToolsFiles.readPublicKey(new byte[] {0x30, 0x03, 1, 2, 3}));
    }

    private static byte[] tpmtOf(String tpm2bFile) {
        byte[] b = TestData.bytes(tpm2bFile);
        return Arrays.copyOfRange(b, 2, b.length);
    }
}
