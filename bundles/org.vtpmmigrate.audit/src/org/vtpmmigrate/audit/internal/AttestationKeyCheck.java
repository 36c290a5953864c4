package org.vtpmmigrate.audit.internal;

import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.TpmSignature;

/**
 * The attestation key that signs a log, and the check of one record signature against it.
 * Records are signed over their SHA-256 record hash, so only SHA-256 signatures are accepted.
 */
public final class AttestationKeyCheck {
    private static final Set<HashAlgorithm> RECORD_HASH = EnumSet.of(HashAlgorithm.SHA256);

    private final TpmPublic publicArea;
    private final PublicKey key;

    private AttestationKeyCheck(TpmPublic publicArea, PublicKey key) {
        this.publicArea = publicArea;
        this.key = key;
    }

    /**
     * @throws InvalidKeyException saying why the public area cannot be an AK that signs this log
     */
    public static AttestationKeyCheck of(TpmPublic publicArea) throws InvalidKeyException {
        Optional<String> problem = publicArea.attestationKeyProblem();
        if (problem.isPresent()) {
            throw new InvalidKeyException(problem.get());
        }
        return new AttestationKeyCheck(publicArea, publicArea.toPublicKey());
    }

    /** Parses a TPM2B_PUBLIC and checks it as {@link #of(TpmPublic)} does. */
    public static AttestationKeyCheck ofTpm2b(byte[] tpm2bPublic) throws TpmFormatException, InvalidKeyException {
        return of(TpmPublic.parseTpm2b(tpm2bPublic));
    }

    public TpmPublic publicArea() {
        return publicArea;
    }

    public String nameHex() {
        return HexFormat.of().formatHex(publicArea.name());
    }

    /** Why {@code signature} is not this AK's signature over {@code signedBytes}, or empty if it is. */
    public Optional<String> signatureProblem(byte[] signedBytes, byte[] signature) {
        TpmSignature sig;
        try {
            sig = TpmSignature.parse(signature);
        } catch (TpmFormatException e) {
            return Optional.of("undecodable signature: " + e.getMessage());
        }
        if (sig.hash() != HashAlgorithm.SHA256) {
            return Optional.of("signature hash is " + sig.hash().bankName()
                    + "; records are signed over their sha256 record hash");
        }
        return sig.verificationProblem(key, signedBytes, RECORD_HASH)
                .map(problem -> problem + " (AK name " + nameHex() + ")");
    }
}
