package org.vtpmmigrate.attest.policy.internal;

import java.util.HexFormat;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.ima.ImaEntry;

/**
 * The textual digest forms of the policy: lowercase hex of a bank's size for PCR values and event
 * digests; {@code algorithm:hex} or bare hex for IMA file digests (Keylime writes both).
 */
public final class Digests {
    private Digests() {
    }

    /** Why {@code hex} is not a {@code bank} digest in lowercase hex, or empty. */
    public static Optional<String> hexProblem(String hex, HashAlgorithm bank) {
        return hexProblem(hex, bank.digestSize(), bank.bankName() + " digest");
    }

    static Optional<String> hexProblem(String hex, int bytes, String what) {
        if (hex.length() != 2 * bytes) {
            return Optional.of("expected " + 2 * bytes + " hex digits (" + what + "), found " + hex.length()
                    + " characters");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return Optional.of("character " + (i + 1) + " '" + c + "' is not a lowercase hex digit");
            }
        }
        return Optional.empty();
    }

    /** Checks a bank digest, for record constructors. */
    public static String requireHex(String hex, HashAlgorithm bank, String what) {
        Optional<String> problem = hexProblem(hex, bank);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(what + ": " + problem.get());
        }
        return hex;
    }

    /**
     * The algorithm named by an IMA digest prefix: the bank names, and the kernel's "sm3" and
     * "sm3-256" for SM3.
     */
    public static Optional<HashAlgorithm> imaAlgorithm(String name) {
        if (name.equals("sm3") || name.equals("sm3-256")) {
            return Optional.of(HashAlgorithm.SM3_256);
        }
        return HashAlgorithm.fromBankName(name).filter(a -> a.bankName().equals(name));
    }

    /**
     * An IMA allowlist digest in its one stored form: {@code bank:hex} with a known algorithm and
     * matching length, or bare hex of a supported digest size (any algorithm of that size
     * matches it, as in Keylime). Uppercase hex is lowered.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String normalizeImaDigest(String digest) {
        int colon = digest.indexOf(':');
        String hex = (colon < 0 ? digest : digest.substring(colon + 1)).toLowerCase(java.util.Locale.ROOT);
        if (colon >= 0) {
            String name = digest.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            HashAlgorithm alg = imaAlgorithm(name).orElseThrow(() -> new IllegalArgumentException("\""
                    + JsonTree.abbreviate(name) + "\" is not a supported hash algorithm"
                    + " (sha1, sha256, sha384, sha512, sm3)"));
            Optional<String> problem = hexProblem(hex, alg.digestSize(), alg.bankName() + " digest");
            if (problem.isPresent()) {
                throw new IllegalArgumentException(problem.get());
            }
            return alg.bankName() + ":" + hex;
        }
        int bytes = hex.length() / 2;
        boolean knownSize = hex.length() % 2 == 0 && (bytes == 20 || bytes == 32 || bytes == 48 || bytes == 64);
        if (!knownSize) {
            throw new IllegalArgumentException(hex.length() + " hex digits is not the size of a supported digest"
                    + " (40, 64, 96 or 128)");
        }
        Optional<String> problem = hexProblem(hex, bytes, bytes + "-byte digest");
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return hex;
    }

    /** The stored forms an IMA entry's file digest can match: bare hex and {@code bank:hex}. */
    public static String[] imaCandidates(ImaEntry entry) {
        byte[] digest = entry.fileDigest().orElseThrow();
        String hex = HexFormat.of().formatHex(digest);
        Optional<HashAlgorithm> alg = entry.fileDigestHashAlgorithm();
        return alg.isPresent() ? new String[] {hex, alg.get().bankName() + ":" + hex} : new String[] {hex};
    }

    /** The stored form of an IMA entry's file digest ({@code bank:hex}, or bare hex for an unknown algorithm). */
    public static String imaDigestOf(ImaEntry entry) {
        String[] c = imaCandidates(entry);
        return c[c.length - 1];
    }
}
