package org.vtpmmigrate.attest.tpm2;

/** An EK certificate that cannot be accepted, with the reason as a value. */
public final class EkCertificateException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Not a decodable X.509 certificate (or NV contents with garbage after it). */
        MALFORMED,
        /** A CA certificate, or an extended key usage without tcg-kp-EKCertificate. */
        NOT_EK_CERTIFICATE,
        /** The certified key is not the TPM's endorsement key. */
        KEY_MISMATCH,
        /** No chain from the certificate to a configured trust anchor. */
        NO_PATH,
        /** A chain exists but fails PKIX validation (signature, validity, constraints). */
        INVALID_PATH,
        /** A critical extension that neither PKIX nor the TCG EK profile handling recognises. */
        UNHANDLED_CRITICAL_EXTENSION
    }

    private final Reason reason;

    public EkCertificateException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public EkCertificateException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
