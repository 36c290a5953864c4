package org.vtpmmigrate.attest.tpm2.internal;

import org.vtpmmigrate.attest.HashAlgorithm;

/** JDK algorithm names for the hashes TPM signatures, OAEP and HMAC use here (SM3 has none in the JDK). */
public final class JcaNames {
    private JcaNames() {
    }

    public static String digest(HashAlgorithm h) {
        return switch (h) {
            case SHA1 -> "SHA-1";
            case SHA256 -> "SHA-256";
            case SHA384 -> "SHA-384";
            case SHA512 -> "SHA-512";
            case SM3_256 -> throw new IllegalArgumentException("SM3 is not supported for signatures, OAEP or HMAC");
        };
    }

    public static String hmac(HashAlgorithm h) {
        return "Hmac" + digest(h).replace("-", "");
    }
}
