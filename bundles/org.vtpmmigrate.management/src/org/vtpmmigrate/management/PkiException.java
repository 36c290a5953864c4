package org.vtpmmigrate.management;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A certificate, key or file that cannot be used, with the {@link Problem} and a message naming the
 * file, the certificate subject and the offending value (dates, missing usages, permissions).
 */
public final class PkiException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of problem; lets a CLI or console react without parsing messages. */
    public enum Problem {
        /** The file is missing, unreadable or too large. */
        FILE_UNREADABLE,
        /** The file exists and would be overwritten. */
        FILE_EXISTS,
        /** The file could not be written. */
        FILE_UNWRITABLE,
        /** A private key file is readable by others than its owner. */
        INSECURE_KEY_FILE,
        /** Not the PEM content expected (wrong block type, bad base64, broken DER). */
        MALFORMED_PEM,
        /** The key is encrypted and no passphrase was given. */
        PASSPHRASE_REQUIRED,
        /** The passphrase does not decrypt the key. */
        WRONG_PASSPHRASE,
        /** The key is not an EC P-256 key. */
        UNSUPPORTED_KEY,
        /** The private key does not belong to the certificate. */
        KEY_MISMATCH,
        /** The trust anchor is not a self-signed CA certificate. */
        NOT_A_CA,
        /** The certificate was not issued by the administrator CA. */
        WRONG_CA,
        /** The certificate's validity ended. */
        EXPIRED,
        /** The certificate's validity has not begun. */
        NOT_YET_VALID,
        /** A key usage or extended key usage that the role needs is missing. */
        MISSING_KEY_USAGE,
        /** The subject carries no known role (OU), or the wrong one. */
        WRONG_ROLE,
        /** A host id, name, DNS name or IP address that cannot go into a certificate. */
        INVALID_NAME,
        /** A validity period outside the CA's own. */
        INVALID_VALIDITY
    }

    private final Problem problem;
    private final transient Path file;

    public PkiException(Problem problem, String message) {
        this(problem, null, message, null);
    }

    public PkiException(Problem problem, Path file, String message, Throwable cause) {
        super((file == null ? "" : file + ": ") + message, cause);
        this.problem = problem;
        this.file = file;
    }

    public Problem problem() {
        return problem;
    }

    /** The file concerned, if the problem is about a file. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}
