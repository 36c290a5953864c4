package org.vtpmmigrate.attest.tpm2;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.internal.JcaSignatures;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;

/**
 * The checks quotes and certifications share: decode the signature, check algorithm and
 * signature, then magic and type, then decode the attestation. A failure that leaves nothing
 * to check further (undecodable signature, foreign magic, wrong type, undecodable attestation)
 * ends the run; signature failures do not, so one verdict lists every problem.
 */
final class SignedAttestationCheck {
    enum Step {
        FORMAT, SIGNATURE_ALGORITHM, SIGNATURE, MAGIC, TYPE
    }

    /** The decoded signature and attestation, present only when the later checks can run. */
    record Decoded(TpmSignature signature, TpmAttest attest) {
    }

    private SignedAttestationCheck() {
    }

    static <C extends Enum<C>> Optional<Decoded> run(PublicKey key, byte[] attest, byte[] signature,
            TpmAttest.Type expectedType, Set<HashAlgorithm> allowedHashes, Function<Step, C> checks,
            List<VerificationResult.Failure<C>> failures) {
        if (attest.length > TpmConstants.MAX_ATTEST) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.FORMAT), "TPMS_ATTEST of " + attest.length
                    + " bytes exceeds the maximum " + TpmConstants.MAX_ATTEST));
            return Optional.empty();
        }
        TpmSignature sig;
        try {
            sig = TpmSignature.parse(signature);
        } catch (TpmFormatException e) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.FORMAT), e.getMessage()));
            return Optional.empty();
        }
        Optional<String> algProblem = JcaSignatures.algorithmProblem(key, sig, allowedHashes);
        if (algProblem.isPresent()) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.SIGNATURE_ALGORITHM), algProblem.get()));
        } else {
            try {
                if (!JcaSignatures.verify(key, sig, attest)) {
                    failures.add(new VerificationResult.Failure<>(checks.apply(Step.SIGNATURE),
                            sig.scheme() + "-" + sig.hash().bankName() + " signature over the " + attest.length
                                    + "-byte TPMS_ATTEST does not verify with the given " + key.getAlgorithm() + " key"));
                }
            } catch (GeneralSecurityException e) {
                failures.add(new VerificationResult.Failure<>(checks.apply(Step.SIGNATURE),
                        "signature check could not run: " + e));
            }
        }
        if (attest.length < 6) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.FORMAT),
                    "TPMS_ATTEST of " + attest.length + " bytes is too short for magic and type"));
            return Optional.empty();
        }
        long magic = ((attest[0] & 0xFFL) << 24) | ((attest[1] & 0xFF) << 16) | ((attest[2] & 0xFF) << 8) | (attest[3] & 0xFF);
        if (magic != TpmConstants.TPM_GENERATED_VALUE) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.MAGIC), TpmAttest.describeForeignMagic(attest)));
            return Optional.empty();
        }
        int tag = ((attest[4] & 0xFF) << 8) | (attest[5] & 0xFF);
        if (tag != expectedType.tag()) {
            String found = TpmAttest.Type.fromTag(tag).map(Enum::name).orElse(TpmConstants.hex16(tag));
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.TYPE),
                    "attestation type " + found + ", expected " + expectedType + " (" + TpmConstants.hex16(expectedType.tag()) + ")"));
            return Optional.empty();
        }
        try {
            return Optional.of(new Decoded(sig, TpmAttest.parse(attest)));
        } catch (TpmFormatException e) {
            failures.add(new VerificationResult.Failure<>(checks.apply(Step.FORMAT), e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * Checks that {@code ak} can be an attestation key, runs {@code verify} with its JDK key, and
     * puts an attestation-key failure in front of the result.
     */
    static <C extends Enum<C>> VerificationResult<C> withAttestationKey(TpmPublic ak, C check,
            Function<PublicKey, VerificationResult<C>> verify) {
        PublicKey key;
        try {
            key = ak.toPublicKey();
        } catch (InvalidKeyException e) {
            return new VerificationResult<>(List.of(new VerificationResult.Failure<>(check,
                    "AK public area has no usable key: " + e.getMessage())), null);
        }
        VerificationResult<C> r = verify.apply(key);
        Optional<String> problem = ak.attestationKeyProblem();
        return problem.isEmpty() ? r : r.withFirst(new VerificationResult.Failure<>(check, problem.get()));
    }

    /** "hex (n bytes)" for messages; nonces and digests are not secret. */
    static String describe(byte[] b) {
        return (b.length == 0 ? "(empty)" : HexFormat.of().formatHex(b)) + " (" + b.length + " bytes)";
    }
}
