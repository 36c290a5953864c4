package org.vtpmmigrate.attest.tpm2;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;

/**
 * Readers for the files tpm2-tools (5.x) writes, so evidence captured with the tools can be
 * verified here. TPM structures (TPMS_ATTEST, TPMT_SIGNATURE, TPM2B_PUBLIC) are read with
 * {@link TpmAttest}, {@link TpmSignature} and {@link TpmPublic}; this class covers the
 * tool-specific containers.
 */
public final class Tpm2ToolsFiles {
    /** sizeof(TPMS_PCR_SELECTION) in the TSS headers: hash, sizeofSelect, pcrSelect[4], one pad byte. */
    private static final int HOST_PCR_SELECTION_SIZE = 8;
    private static final int HOST_PCR_SELECTIONS = 16;
    /** sizeof(TPML_PCR_SELECTION) as a host struct. */
    private static final int HOST_TPML_PCR_SELECTION_SIZE = 4 + HOST_PCR_SELECTIONS * HOST_PCR_SELECTION_SIZE;
    /** sizeof(TPM2B_DIGEST) and sizeof(TPML_DIGEST) as host structs (8 digests per list). */
    private static final int HOST_TPM2B_DIGEST_SIZE = 2 + TpmConstants.MAX_DIGEST;
    private static final int HOST_DIGESTS_PER_LIST = 8;
    private static final int HOST_TPML_DIGEST_SIZE = 4 + HOST_DIGESTS_PER_LIST * HOST_TPM2B_DIGEST_SIZE;
    /** tpm2_pcrs holds at most this many TPML_DIGEST lists. */
    private static final int MAX_DIGEST_LISTS = 64;
    /** Public key files (PEM or DER) are small; anything bigger is not one. */
    private static final int MAX_KEY_FILE = 16 * 1024;

    private Tpm2ToolsFiles() {
    }

    /**
     * Reads the "serialized" PCR file of {@code tpm2_quote -o} / {@code tpm2_pcrread -o -F serialized}:
     * a host-endian (little-endian on x86) TPML_PCR_SELECTION struct of 132 bytes, a UINT32 count
     * n, then n TPML_DIGEST structs of 532 bytes each (at most 8 digests per list, as TPM2_PCR_Read
     * returns them). Digests map onto the selected PCRs in selection order, ascending index within
     * a bank, flowing from one list into the next. Padding and unused slots are ignored; every
     * used count and size is validated.
     */
    public static PcrValues readSerializedPcrs(byte[] file) throws TpmFormatException {
        Objects.requireNonNull(file, "file");
        int max = HOST_TPML_PCR_SELECTION_SIZE + 4 + MAX_DIGEST_LISTS * HOST_TPML_DIGEST_SIZE;
        if (file.length > max) {
            throw new TpmFormatException("pcr file", 0, file.length + " bytes exceed the maximum " + max);
        }
        TpmReader r = TpmReader.littleEndian(file, "pcr file");
        int count = r.count32("pcrSelect.count", HOST_PCR_SELECTIONS);
        record Slot(HashAlgorithm bank, int pcr) {
        }
        List<Slot> slots = new ArrayList<>();
        List<HashAlgorithm> banks = new ArrayList<>();
        for (int i = 0; i < HOST_PCR_SELECTIONS; i++) {
            int entryAt = r.offset();
            if (i >= count) {
                r.skip("pcrSelect.pcrSelections[" + i + "]", HOST_PCR_SELECTION_SIZE);
                continue;
            }
            String f = "pcrSelect.pcrSelections[" + i + "]";
            int hashId = r.u16(f + ".hash");
            HashAlgorithm h = HashAlgorithm.fromTpmAlgId(hashId).orElseThrow(
                    () -> r.errorAt(f + ".hash", entryAt, "unknown PCR bank algorithm " + TpmConstants.hex16(hashId)));
            if (banks.contains(h)) {
                throw r.errorAt(f + ".hash", entryAt, "bank " + h.bankName() + " selected twice");
            }
            banks.add(h);
            int sizeAt = r.offset();
            int size = r.u8(f + ".sizeofSelect");
            if (size > TpmConstants.MAX_PCR_SELECT_BYTES) {
                throw r.errorAt(f + ".sizeofSelect", sizeAt, "sizeofSelect " + size + " exceeds "
                        + TpmConstants.MAX_PCR_SELECT_BYTES);
            }
            int bitsAt = r.offset();
            byte[] bits = r.bytes(f + ".pcrSelect", TpmConstants.MAX_PCR_SELECT_BYTES);
            r.skip(f + ".padding", 1);
            for (int pcr : PcrSelection.decodeBitmap(r, f + ".pcrSelect", bitsAt, Arrays.copyOf(bits, size))) {
                slots.add(new Slot(h, pcr));
            }
        }
        int lists = r.count32("pcrs.count", MAX_DIGEST_LISTS);
        PcrValues.Builder values = PcrValues.builder();
        int next = 0;
        for (int l = 0; l < lists; l++) {
            String lf = "pcrs.pcr_values[" + l + "]";
            int n = r.count32(lf + ".count", HOST_DIGESTS_PER_LIST);
            for (int d = 0; d < HOST_DIGESTS_PER_LIST; d++) {
                String df = lf + ".digests[" + d + "]";
                if (d >= n) {
                    r.skip(df, HOST_TPM2B_DIGEST_SIZE);
                    continue;
                }
                int digestAt = r.offset();
                int dsize = r.u16(df + ".size");
                byte[] buffer = r.bytes(df + ".buffer", TpmConstants.MAX_DIGEST);
                if (next >= slots.size()) {
                    throw r.errorAt(df, digestAt, "more digests than the " + slots.size() + " selected PCRs");
                }
                Slot slot = slots.get(next++);
                if (dsize != slot.bank.digestSize()) {
                    throw r.errorAt(df + ".size", digestAt, "digest of " + dsize + " bytes for PCR "
                            + slot.bank.bankName() + ":" + slot.pcr + ", which needs " + slot.bank.digestSize());
                }
                values.put(slot.bank, slot.pcr, Arrays.copyOf(buffer, dsize));
            }
        }
        if (next != slots.size()) {
            throw r.error("pcrs", "only " + next + " digests for " + slots.size() + " selected PCRs");
        }
        r.expectEnd();
        return values.build();
    }

    /**
     * Reads the "values" form ({@code tpm2_pcrread -o}, {@code tpm2_quote -F values}): the raw digests
     * concatenated in selection order, nothing else, so the selection must be known.
     */
    public static PcrValues readPcrValues(byte[] file, PcrSelection selection) throws TpmFormatException {
        Objects.requireNonNull(file, "file");
        TpmReader r = TpmReader.of(file, "pcr values file");
        PcrValues.Builder b = PcrValues.builder();
        for (HashAlgorithm h : selection.banks()) {
            for (int pcr : selection.indices(h)) {
                b.put(h, pcr, r.bytes(h.bankName() + ":" + pcr, h.digestSize()));
            }
        }
        r.expectEnd();
        return b.build();
    }

    /**
     * Reads a public key as {@code tpm2_readpublic -f pem} or openssl write it: PEM "PUBLIC KEY"
     * (SubjectPublicKeyInfo) or the same in DER. RSA and EC keys.
     */
    public static PublicKey readPublicKey(byte[] pemOrDer) throws TpmFormatException {
        Objects.requireNonNull(pemOrDer, "pemOrDer");
        if (pemOrDer.length > MAX_KEY_FILE) {
            throw new TpmFormatException("public key file", 0, pemOrDer.length + " bytes exceed the maximum " + MAX_KEY_FILE);
        }
        byte[] der = pemOrDer;
        String text = new String(pemOrDer, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN")) {
            try (PemReader pr = new PemReader(new StringReader(text))) {
                PemObject o = pr.readPemObject();
                if (o == null || !"PUBLIC KEY".equals(o.getType())) {
                    throw new TpmFormatException("public key file", 0, "PEM block is "
                            + (o == null ? "unreadable" : "'" + o.getType() + "'") + ", expected 'PUBLIC KEY'");
                }
                der = o.getContent();
            } catch (IOException e) {
                throw new TpmFormatException("public key file", 0, "bad PEM: " + e.getMessage());
            }
        }
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(der);
            String oid = spki.getAlgorithm().getAlgorithm().getId();
            String alg = switch (oid) {
                case "1.2.840.113549.1.1.1" -> "RSA";
                case "1.2.840.10045.2.1" -> "EC";
                default -> throw new TpmFormatException("public key file", 0, "key algorithm " + oid + " is neither RSA nor EC");
            };
            return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TpmFormatException("public key file", 0, "not a SubjectPublicKeyInfo: " + e.getMessage());
        }
    }
}
