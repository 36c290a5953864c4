package org.vtpmmigrate.attest.tpm2;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * A policy digest computed in software, the way a trial session computes it (TPM 2.0 Part 3
 * §23): starts at all zeros and each assertion extends it. Lets a verifier derive the authPolicy
 * an object must carry from PCR values it has accepted. Immutable; each step returns a new value.
 */
public final class PolicyDigest {
    private final HashAlgorithm hash;
    private final byte[] value;

    private PolicyDigest(HashAlgorithm hash, byte[] value) {
        this.hash = hash;
        this.value = value;
    }

    /** The empty policy of a fresh session: zeros of the nameAlg's digest size. */
    public static PolicyDigest initial(HashAlgorithm nameAlg) {
        return new PolicyDigest(Objects.requireNonNull(nameAlg, "nameAlg"), nameAlg.zeroDigest());
    }

    /** Continues from a known digest. */
    public static PolicyDigest of(HashAlgorithm nameAlg, byte[] value) {
        if (value.length != nameAlg.digestSize()) {
            throw new IllegalArgumentException("policy digest of " + value.length + " bytes, " + nameAlg.bankName()
                    + " needs " + nameAlg.digestSize());
        }
        return new PolicyDigest(nameAlg, value.clone());
    }

    /** PolicyPCR over all PCRs in {@code values}, banks in {@link HashAlgorithm} order. */
    public PolicyDigest policyPcr(PcrValues values) {
        return policyPcr(PcrSelection.of(values), values);
    }

    /**
     * policyDigest' = H(policyDigest || TPM_CC_PolicyPCR || TPML_PCR_SELECTION || H(selected values
     * concatenated in selection order)), with H the session hash.
     *
     * @throws IllegalArgumentException if {@code values} lacks a selected PCR
     */
    public PolicyDigest policyPcr(PcrSelection selection, PcrValues values) {
        byte[] pcrDigest = hash.digest(selection.concatenate(values));
        byte[] input = new TpmWriter().bytes(value).u32(TpmConstants.TPM_CC_POLICY_PCR).bytes(selection.marshal())
                .bytes(pcrDigest).toByteArray();
        return new PolicyDigest(hash, hash.digest(input));
    }

    /** policyDigest' = H(policyDigest || TPM_CC_PolicyCommandCode || code). */
    public PolicyDigest policyCommandCode(TpmCommandCode command) {
        byte[] input = new TpmWriter().bytes(value).u32(TpmConstants.TPM_CC_POLICY_COMMAND_CODE).u32(command.code())
                .toByteArray();
        return new PolicyDigest(hash, hash.digest(input));
    }

    public HashAlgorithm hash() {
        return hash;
    }

    public byte[] value() {
        return value.clone();
    }

    /** Constant-time comparison with a digest from elsewhere (an object's authPolicy). */
    public boolean matches(byte[] other) {
        return MessageDigest.isEqual(value, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyDigest p && p.hash == hash && MessageDigest.isEqual(p.value, value);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return hash.bankName() + ":" + HexFormat.of().formatHex(value);
    }
}
