package org.vtpmmigrate.tpm.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.SignedAttestation;
import org.vtpmmigrate.tpm.TpmException;

import tss.tpm.TPMS_ID_OBJECT;

/**
 * Byte-level checks and extraction for what crosses the TPM boundary: structures taken from raw
 * responses, and caller-supplied TPM2B inputs checked before they are sent.
 */
final class WireFormat {

    /** TPM2B_ID_OBJECT: size, TPM2B_DIGEST integrityHMAC (SHA-512 at most), encIdentity (a digest at most). */
    static final int MAX_CREDENTIAL_BLOB = 2 + (2 + 64) + (2 + 64);
    /** TPM2B_ENCRYPTED_SECRET: size and at most an RSA-4096 encryption. */
    static final int MAX_ENCRYPTED_SECRET = 2 + 512;
    private static final int P256_COORDINATE = 32;

    private WireFormat() {
    }

    /**
     * Moves the values of one PCR_Read response (TPML_PCR_SELECTION pcrSelectionOut, TPML_DIGEST
     * pcrValues) from {@code remaining} into {@code values}; returns how many there were.
     */
    static int pcrReadValues(String operation, RawResponse.Reader parameters,
            Map<PcrBank, SortedSet<Integer>> remaining, Map<PcrBank, Map<Integer, byte[]>> values)
            throws TpmException {
        List<PcrBank> order = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        Set<String> selected = new HashSet<>();
        int selections = parameters.uint32("pcrSelectionOut.count");
        if (selections > PcrBank.values().length) {
            throw malformed(operation, "pcrSelectionOut lists " + selections + " banks");
        }
        for (int i = 0; i < selections; i++) {
            PcrBank bank = bankOf(operation, parameters.uint16("pcrSelectionOut.hash"));
            int selectSize = parameters.uint8("pcrSelectionOut.sizeofSelect");
            for (int octet = 0; octet < selectSize; octet++) {
                int bits = parameters.uint8("pcrSelectionOut.pcrSelect");
                for (int bit = 0; bit < 8; bit++) {
                    if ((bits & (1 << bit)) == 0) {
                        continue;
                    }
                    int index = octet * 8 + bit;
                    SortedSet<Integer> wanted = remaining.get(bank);
                    if (wanted == null || !wanted.contains(index)) {
                        throw malformed(operation, "the TPM returned PCR " + bank + ":" + index
                                + ", which was not requested");
                    }
                    if (!selected.add(bank + ":" + index)) {
                        throw malformed(operation, "the TPM selected PCR " + bank + ":" + index + " twice");
                    }
                    order.add(bank);
                    indices.add(index);
                }
            }
        }
        int digests = parameters.uint32("pcrValues.count");
        if (digests != order.size()) {
            throw malformed(operation, "the TPM returned " + digests + " values for " + order.size() + " selected PCRs");
        }
        for (int i = 0; i < digests; i++) {
            PcrBank bank = order.get(i);
            int index = indices.get(i);
            byte[] value = parameters.sizedContent("pcrValues[" + i + "]");
            if (value.length != bank.digestLength()) {
                throw malformed(operation, "PCR " + bank + ":" + index + " value has " + value.length
                        + " bytes, expected " + bank.digestLength());
            }
            values.computeIfAbsent(bank, b -> new HashMap<>()).put(index, value);
            remaining.get(bank).remove(index);
        }
        parameters.requireEnd("PCR_Read response");
        return digests;
    }

    /** The bank of a hash algorithm the TPM named; an unknown one makes the response unusable. */
    static PcrBank bankOf(String operation, int algorithmId) throws TpmException {
        try {
            return PcrBank.fromAlgorithmId(algorithmId);
        } catch (IllegalArgumentException e) {
            throw malformed(operation, e.getMessage());
        }
    }

    /** NV indices are often larger than the certificate: cut after the outer DER SEQUENCE. */
    static byte[] trimToDer(byte[] data) {
        if (data.length < 2 || data[0] != 0x30) {
            return data;
        }
        int first = data[1] & 0xFF;
        long length;
        int header;
        if (first < 0x80) {
            length = first;
            header = 2;
        } else {
            int lengthBytes = first & 0x7F;
            if (lengthBytes == 0 || lengthBytes > 3 || data.length < 2 + lengthBytes) {
                return data;
            }
            length = 0;
            for (int i = 0; i < lengthBytes; i++) {
                length = (length << 8) | (data[2 + i] & 0xFF);
            }
            header = 2 + lengthBytes;
        }
        long total = header + length;
        return total <= data.length ? Arrays.copyOf(data, (int) total) : data;
    }

    /** ActivateCredential answers TPM2B_DIGEST certInfo: the secret. */
    static byte[] recoveredSecret(RawResponse response) throws TpmException {
        RawResponse.Reader parameters = response.parameters(0);
        byte[] secret = parameters.sizedContent("certInfo");
        parameters.requireEnd("ActivateCredential response");
        return secret;
    }

    /** TPM2B_ID_OBJECT: size, then TPMS_ID_OBJECT = TPM2B_DIGEST integrityHMAC || encIdentity. */
    static TPMS_ID_OBJECT idObject(byte[] credentialBlob) {
        String field = "credentialBlob (TPM2B_ID_OBJECT)";
        byte[] content = callerTpm2b(field, credentialBlob, MAX_CREDENTIAL_BLOB);
        if (content.length < 2) {
            throw new IllegalArgumentException(field + " is too short for its integrity HMAC size");
        }
        int hmacSize = ((content[0] & 0xFF) << 8) | (content[1] & 0xFF);
        if (2 + hmacSize >= content.length) {
            throw new IllegalArgumentException(field + ": integrity HMAC of " + hmacSize
                    + " bytes leaves no room for the encrypted identity in " + content.length + " bytes");
        }
        return new TPMS_ID_OBJECT(Arrays.copyOfRange(content, 2, 2 + hmacSize),
                Arrays.copyOfRange(content, 2 + hmacSize, content.length));
    }

    /** The content of a caller-supplied TPM2B whose size prefix must match its length exactly. */
    static byte[] callerTpm2b(String field, byte[] tpm2b, int maxLength) {
        if (tpm2b.length < 2 || tpm2b.length > maxLength) {
            throw new IllegalArgumentException(field + " of " + tpm2b.length + " bytes is outside 2.." + maxLength);
        }
        int size = ((tpm2b[0] & 0xFF) << 8) | (tpm2b[1] & 0xFF);
        if (size != tpm2b.length - 2) {
            throw new IllegalArgumentException(field + " announces " + size + " bytes but carries "
                    + (tpm2b.length - 2));
        }
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    /** Quote and Certify answer TPM2B_ATTEST then TPMT_SIGNATURE, which fills the parameter area. */
    static SignedAttestation signedAttestation(RawResponse response, String attestField) throws TpmException {
        RawResponse.Reader parameters = response.parameters(0);
        byte[] attest = parameters.sizedContent(attestField);
        return new SignedAttestation(attest, signatureToEnd(parameters));
    }

    /** Sign answers only a TPMT_SIGNATURE, which fills the parameter area. */
    static byte[] signature(RawResponse response) throws TpmException {
        return signatureToEnd(response.parameters(0));
    }

    /** A TPMT_SIGNATURE as the rest of the parameters, at least its sigAlg and hashAlg. */
    private static byte[] signatureToEnd(RawResponse.Reader parameters) throws TpmException {
        if (parameters.remaining() < 4) {
            throw parameters.malformed("TPMT_SIGNATURE of " + parameters.remaining() + " bytes is too short");
        }
        return parameters.rest();
    }

    /** A caller's P-256 point coordinate as the TPM wants it: 32 bytes, big-endian. */
    static byte[] p256Coordinate(String name, BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 8 * P256_COORDINATE) {
            throw new IllegalArgumentException("Peer point " + name + " coordinate does not fit P-256");
        }
        byte[] magnitude = value.toByteArray();
        byte[] fixed = new byte[P256_COORDINATE];
        int copy = Math.min(magnitude.length, P256_COORDINATE);
        System.arraycopy(magnitude, magnitude.length - copy, fixed, P256_COORDINATE - copy, copy);
        return fixed;
    }

    /** Z from ECDH_ZGen's x coordinate, left-padded to 32 bytes in case the TPM dropped leading zeros. */
    static byte[] sharedSecretX(String operation, byte[] x) throws TpmException {
        if (x.length == 0 || x.length > P256_COORDINATE) {
            throw malformed(operation, "the shared point's x coordinate has " + x.length
                    + " bytes, expected up to " + P256_COORDINATE);
        }
        byte[] fixed = new byte[P256_COORDINATE];
        System.arraycopy(x, 0, fixed, P256_COORDINATE - x.length, x.length);
        return fixed;
    }

    /** The name the TPM reported must be the name of the public bytes handed out. */
    static void checkName(String operation, byte[] tpm2bPublic, byte[] tpmName) throws TpmException {
        boolean matches;
        try {
            matches = PublicAreas.nameMatches(tpm2bPublic, tpmName);
        } catch (IllegalArgumentException e) {
            throw malformed(operation, "cannot compute the name of the public area: " + e.getMessage());
        }
        if (!matches) {
            throw malformed(operation, "the TPM's name does not match the public area it returned");
        }
    }

    /** A MALFORMED_RESPONSE failure of an operation. */
    static TpmException malformed(String operation, String detail) {
        return new TpmException(TpmException.Kind.MALFORMED_RESPONSE, operation, detail, null);
    }
}
