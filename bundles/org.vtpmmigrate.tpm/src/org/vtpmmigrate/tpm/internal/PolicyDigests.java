package org.vtpmmigrate.tpm.internal;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.vtpmmigrate.tpm.BoundKeyPolicy;
import org.vtpmmigrate.tpm.PcrValues;

/**
 * SHA-256 policy digests computed in software (TPM 2.0 Part 3, 23.7 and 23.11), so a bound key's
 * authPolicy costs no trial session on the TPM.
 */
final class PolicyDigests {

    static final int TPM_CC_POLICY_PCR = 0x0000017F;
    static final int TPM_CC_POLICY_COMMAND_CODE = 0x0000016C;
    static final int TPM_CC_ECDH_ZGEN = 0x00000154;
    private static final int SHA256_LENGTH = 32;

    private PolicyDigests() {
    }

    /** The pcrDigest PolicyPCR compares: SHA-256 over the values concatenated in selection order. */
    static byte[] pcrDigest(PcrValues values) {
        MessageDigest sha256 = sha256();
        values.valuesInSelectionOrder().forEach(sha256::update);
        return sha256.digest();
    }

    /** The authPolicy of a bound key: PolicyPCR, then PolicyCommandCode(ECDH_ZGen) if asked for. */
    static byte[] boundKeyPolicy(PcrValues values, BoundKeyPolicy policy) {
        byte[] digest = policyPcr(new byte[SHA256_LENGTH], values);
        if (policy == BoundKeyPolicy.PCR_AND_ECDH_ZGEN) {
            digest = policyCommandCode(digest, TPM_CC_ECDH_ZGEN);
        }
        return digest;
    }

    /** policyDigest' = H(policyDigest || TPM_CC_PolicyPCR || pcrs || pcrDigest). */
    static byte[] policyPcr(byte[] previous, PcrValues values) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(previous);
        PcrSelections.writeUint32(data, TPM_CC_POLICY_PCR);
        data.writeBytes(PcrSelections.tpmlPcrSelection(values.selection()));
        data.writeBytes(pcrDigest(values));
        return sha256().digest(data.toByteArray());
    }

    /** policyDigest' = H(policyDigest || TPM_CC_PolicyCommandCode || code). */
    static byte[] policyCommandCode(byte[] previous, int commandCode) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(previous);
        PcrSelections.writeUint32(data, TPM_CC_POLICY_COMMAND_CODE);
        PcrSelections.writeUint32(data, commandCode);
        return sha256().digest(data.toByteArray());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides SHA-256", e);
        }
    }
}
