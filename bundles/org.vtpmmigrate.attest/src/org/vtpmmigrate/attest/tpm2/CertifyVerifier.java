package org.vtpmmigrate.attest.tpm2;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * Verifies a TPM2_Certify result: the AK vouches that an object with the presented public area
 * is loaded in the same TPM. Used for the destination's key K_bind: its name must match the
 * certified name (so attributes and policy are the TPM's, not the peer's word), its attributes
 * must make it a non-exportable decryption key usable only through its policy, and that policy
 * must be the PolicyPCR digest of the state the verifier accepted. Thread-safe.
 */
public final class CertifyVerifier {
    /**
     * Attributes of the protocol's PCR-bound key: never leaves the TPM, generated inside it, usable
     * for decryption/ECDH only, and only through its policy (no userWithAuth), not restricted.
     */
    public static final Set<ObjectAttribute> PCR_BOUND_DECRYPTION_KEY = Collections.unmodifiableSet(EnumSet.of(
            ObjectAttribute.FIXED_TPM, ObjectAttribute.FIXED_PARENT, ObjectAttribute.SENSITIVE_DATA_ORIGIN,
            ObjectAttribute.DECRYPT));

    /** What the certified object must look like. */
    public record Expectations(byte[] qualifyingData, Set<ObjectAttribute> attributes, byte[] authPolicy) {
        public Expectations {
            Objects.requireNonNull(qualifyingData, "qualifyingData");
            Objects.requireNonNull(authPolicy, "authPolicy");
            qualifyingData = qualifyingData.clone();
            authPolicy = authPolicy.clone();
            attributes = attributes.isEmpty() ? Collections.emptySet()
                    : Collections.unmodifiableSet(EnumSet.copyOf(attributes));
        }

        @Override
        public byte[] qualifyingData() {
            return qualifyingData.clone();
        }

        @Override
        public byte[] authPolicy() {
            return authPolicy.clone();
        }
    }

    private final Set<HashAlgorithm> allowedSignatureHashes;

    public CertifyVerifier() {
        this(QuoteVerifier.DEFAULT_SIGNATURE_HASHES);
    }

    public CertifyVerifier(Set<HashAlgorithm> allowedSignatureHashes) {
        if (allowedSignatureHashes.isEmpty()) {
            throw new IllegalArgumentException("at least one signature hash must be allowed");
        }
        this.allowedSignatureHashes = Collections.unmodifiableSet(EnumSet.copyOf(allowedSignatureHashes));
    }

    /**
     * Like {@link #verify(PublicKey, byte[], byte[], TpmPublic, Expectations)}, and first checks that
     * the AK's public area is a restricted, fixedTPM signing key ({@link CertifyCheck#ATTESTATION_KEY}).
     */
    public VerificationResult<CertifyCheck> verify(TpmPublic akPublic, byte[] attest, byte[] signature,
            TpmPublic certifiedObject, Expectations expected) {
        Objects.requireNonNull(akPublic, "akPublic");
        return SignedAttestationCheck.withAttestationKey(akPublic, CertifyCheck.ATTESTATION_KEY,
                key -> verify(key, attest, signature, certifiedObject, expected));
    }

    /**
     * @param akPublic        the attestation key that signed the certification
     * @param attest          the TPMS_ATTEST bytes from TPM2_Certify
     * @param signature       the TPMT_SIGNATURE
     * @param certifiedObject the public area the peer presents as the certified object
     * @param expected        qualifying data, exact attribute set and policy digest
     */
    public VerificationResult<CertifyCheck> verify(PublicKey akPublic, byte[] attest, byte[] signature,
            TpmPublic certifiedObject, Expectations expected) {
        Objects.requireNonNull(akPublic, "akPublic");
        Objects.requireNonNull(attest, "attest");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(certifiedObject, "certifiedObject");
        Objects.requireNonNull(expected, "expected");
        List<VerificationResult.Failure<CertifyCheck>> failures = new ArrayList<>();
        Optional<SignedAttestationCheck.Decoded> decoded = SignedAttestationCheck.run(akPublic, attest, signature,
                TpmAttest.Type.CERTIFY, allowedSignatureHashes, CertifyVerifier::map, failures);
        if (decoded.isEmpty()) {
            return new VerificationResult<>(failures, null);
        }
        TpmAttest a = decoded.get().attest();
        TpmAttest.CertifyInfo info = a.certifyInfo().orElseThrow();

        if (!MessageDigest.isEqual(a.extraData(), expected.qualifyingData())) {
            failures.add(new VerificationResult.Failure<>(CertifyCheck.QUALIFYING_DATA, "extraData "
                    + SignedAttestationCheck.describe(a.extraData()) + " is not the expected qualifying data "
                    + SignedAttestationCheck.describe(expected.qualifyingData())));
        }
        byte[] name = certifiedObject.name();
        if (!MessageDigest.isEqual(info.name(), name)) {
            failures.add(new VerificationResult.Failure<>(CertifyCheck.NAME, "certified name "
                    + SignedAttestationCheck.describe(info.name()) + " is not the name of the presented public area "
                    + SignedAttestationCheck.describe(name)));
        }
        Set<ObjectAttribute> actual = certifiedObject.attributes();
        if (!actual.equals(expected.attributes())) {
            Set<ObjectAttribute> missing = EnumSet.noneOf(ObjectAttribute.class);
            missing.addAll(expected.attributes());
            missing.removeAll(actual);
            Set<ObjectAttribute> unexpected = EnumSet.noneOf(ObjectAttribute.class);
            unexpected.addAll(actual);
            unexpected.removeAll(expected.attributes());
            failures.add(new VerificationResult.Failure<>(CertifyCheck.OBJECT_ATTRIBUTES, "attributes "
                    + ObjectAttribute.format(actual) + ", expected " + ObjectAttribute.format(expected.attributes())
                    + (missing.isEmpty() ? "" : "; missing " + ObjectAttribute.format(missing))
                    + (unexpected.isEmpty() ? "" : "; not allowed " + ObjectAttribute.format(unexpected))));
        }
        byte[] policy = certifiedObject.authPolicy();
        if (!MessageDigest.isEqual(policy, expected.authPolicy())) {
            failures.add(new VerificationResult.Failure<>(CertifyCheck.AUTH_POLICY, "authPolicy "
                    + SignedAttestationCheck.describe(policy) + " is not the expected policy digest "
                    + SignedAttestationCheck.describe(expected.authPolicy())));
        }
        return new VerificationResult<>(failures, a);
    }

    private static CertifyCheck map(SignedAttestationCheck.Step s) {
        return switch (s) {
            case FORMAT -> CertifyCheck.FORMAT;
            case SIGNATURE_ALGORITHM -> CertifyCheck.SIGNATURE_ALGORITHM;
            case SIGNATURE -> CertifyCheck.SIGNATURE;
            case MAGIC -> CertifyCheck.MAGIC;
            case TYPE -> CertifyCheck.TYPE;
        };
    }
}
