package org.vtpmmigrate.attest.tpm2;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/**
 * Verifies a TPM2_Quote against the attestation key, the verifier's nonce and the PCR values
 * the attester claims (read from the TPM, or replayed from its event logs). Passing means: the
 * AK signed this TPMS_ATTEST, it is a TPM 2.0 quote, it answers this nonce, it covers exactly
 * the claimed PCRs and its digest equals theirs. Freshness beyond the nonce (reboots between
 * two quotes) is for the caller, from {@link TpmAttest#clockInfo()}.
 * <p>
 * Trust in the AK itself (credential activation against a trusted EK) is established
 * elsewhere; this class takes the key as given. Thread-safe.
 */
public final class QuoteVerifier {
    /** Signature hashes accepted by default: SHA-1 is refused as a downgrade. */
    public static final Set<HashAlgorithm> DEFAULT_SIGNATURE_HASHES =
            Collections.unmodifiableSet(EnumSet.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512));

    private final Set<HashAlgorithm> allowedSignatureHashes;

    public QuoteVerifier() {
        this(DEFAULT_SIGNATURE_HASHES);
    }

    /** A verifier that accepts signatures over the given hashes only. */
    public QuoteVerifier(Set<HashAlgorithm> allowedSignatureHashes) {
        if (allowedSignatureHashes.isEmpty()) {
            throw new IllegalArgumentException("at least one signature hash must be allowed");
        }
        this.allowedSignatureHashes = Collections.unmodifiableSet(EnumSet.copyOf(allowedSignatureHashes));
    }

    /**
     * Like {@link #verify(PublicKey, byte[], byte[], PcrValues, byte[])}, and first checks that the
     * AK's public area is a restricted, fixedTPM signing key ({@link QuoteCheck#ATTESTATION_KEY}).
     */
    public VerificationResult<QuoteCheck> verify(TpmPublic akPublic, byte[] attest, byte[] signature,
            PcrValues claimedPcrs, byte[] expectedNonce) {
        Objects.requireNonNull(akPublic, "akPublic");
        return SignedAttestationCheck.withAttestationKey(akPublic, QuoteCheck.ATTESTATION_KEY,
                key -> verify(key, attest, signature, claimedPcrs, expectedNonce));
    }

    /**
     * @param akPublic      the attestation key
     * @param attest        the TPMS_ATTEST bytes the TPM signed
     * @param signature     the TPMT_SIGNATURE
     * @param claimedPcrs   the PCR values the quote is supposed to cover, no more, no fewer
     * @param expectedNonce the qualifying data the verifier sent
     */
    public VerificationResult<QuoteCheck> verify(PublicKey akPublic, byte[] attest, byte[] signature,
            PcrValues claimedPcrs, byte[] expectedNonce) {
        Objects.requireNonNull(akPublic, "akPublic");
        Objects.requireNonNull(attest, "attest");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(claimedPcrs, "claimedPcrs");
        Objects.requireNonNull(expectedNonce, "expectedNonce");
        List<VerificationResult.Failure<QuoteCheck>> failures = new ArrayList<>();
        Optional<SignedAttestationCheck.Decoded> decoded = SignedAttestationCheck.run(akPublic, attest, signature,
                TpmAttest.Type.QUOTE, allowedSignatureHashes, QuoteVerifier::map, failures);
        if (decoded.isEmpty()) {
            return new VerificationResult<>(failures, null);
        }
        TpmAttest a = decoded.get().attest();
        TpmAttest.QuoteInfo q = a.quoteInfo().orElseThrow();

        byte[] extraData = a.extraData();
        if (!MessageDigest.isEqual(extraData, expectedNonce)) {
            failures.add(new VerificationResult.Failure<>(QuoteCheck.NONCE, "extraData "
                    + SignedAttestationCheck.describe(extraData) + " is not the expected nonce "
                    + SignedAttestationCheck.describe(expectedNonce)));
        }

        PcrSelection claimedSelection = PcrSelection.of(claimedPcrs);
        if (!q.pcrSelection().selectsSamePcrsAs(claimedSelection)) {
            failures.add(new VerificationResult.Failure<>(QuoteCheck.PCR_SELECTION,
                    selectionMismatch(q.pcrSelection(), claimedSelection)));
        } else {
            // The TPM digests the PCR values with the hash of the signing scheme (Part 3, TPM2_Quote).
            HashAlgorithm h = decoded.get().signature().hash();
            byte[] expected = h.digest(q.pcrSelection().concatenate(claimedPcrs));
            byte[] quoted = q.pcrDigest();
            if (!MessageDigest.isEqual(quoted, expected)) {
                failures.add(new VerificationResult.Failure<>(QuoteCheck.PCR_DIGEST, "pcrDigest in the quote "
                        + SignedAttestationCheck.describe(quoted) + " differs from " + h.bankName() + " over the "
                        + claimedSelection.size() + " claimed values in quote order "
                        + SignedAttestationCheck.describe(expected)
                        + ": at least one claimed value is not what the TPM holds"));
            }
        }
        return new VerificationResult<>(failures, a);
    }

    static String selectionMismatch(PcrSelection quoted, PcrSelection claimed) {
        Map<HashAlgorithm, SortedSet<Integer>> q = quoted.selected();
        Map<HashAlgorithm, SortedSet<Integer>> c = claimed.selected();
        StringJoiner notClaimed = new StringJoiner("+");
        StringJoiner notQuoted = new StringJoiner("+");
        for (HashAlgorithm h : HashAlgorithm.values()) {
            SortedSet<Integer> qi = new TreeSet<>(q.getOrDefault(h, Collections.emptySortedSet()));
            SortedSet<Integer> ci = new TreeSet<>(c.getOrDefault(h, Collections.emptySortedSet()));
            SortedSet<Integer> missing = new TreeSet<>(qi);
            missing.removeAll(ci);
            SortedSet<Integer> extra = new TreeSet<>(ci);
            extra.removeAll(qi);
            if (!missing.isEmpty()) {
                notClaimed.add(h.bankName() + ":" + PcrSelection.formatIndices(missing));
            }
            if (!extra.isEmpty()) {
                notQuoted.add(h.bankName() + ":" + PcrSelection.formatIndices(extra));
            }
        }
        return "quote covers " + quoted + ", claimed values cover " + claimed
                + (notClaimed.length() > 0 ? "; quoted but not claimed: " + notClaimed : "")
                + (notQuoted.length() > 0 ? "; claimed but not quoted: " + notQuoted : "");
    }

    private static QuoteCheck map(SignedAttestationCheck.Step s) {
        return switch (s) {
            case FORMAT -> QuoteCheck.FORMAT;
            case SIGNATURE_ALGORITHM -> QuoteCheck.SIGNATURE_ALGORITHM;
            case SIGNATURE -> QuoteCheck.SIGNATURE;
            case MAGIC -> QuoteCheck.MAGIC;
            case TYPE -> QuoteCheck.TYPE;
        };
    }

    @Override
    public String toString() {
        return "QuoteVerifier[signature hashes " + allowedSignatureHashes + "]";
    }
}
