package org.vtpmmigrate.audit;

import java.util.Arrays;
import java.util.HexFormat;

import org.vtpmmigrate.audit.internal.InvalidFieldException;

/**
 * What the first record of a log (kind {@link EventKind#LOG_OPENED}, sequence 0) says about the
 * host: its attestation key, which signs every record, and optionally its EK certificate. The
 * values are as the log states them; whether this AK is the host's enrolled AK is for the reader
 * to decide (compare {@link #akName()} with the enrolment record, or pass the expected AK to
 * {@link AuditLogVerifier#verify(java.nio.file.Path, org.vtpmmigrate.attest.tpm2.TpmPublic)}).
 *
 * @param akPublicArea the AK's TPM2B_PUBLIC, as TPM2_ReadPublic or tpm2-tools {@code -u} give it
 * @param akName the AK's TPM name (nameAlg || digest of the public area)
 * @param ekCertificate the EK certificate (DER), empty if the log does not carry one
 */
public record LogHeader(byte[] akPublicArea, byte[] akName, byte[] ekCertificate) {
    /** Largest TPM2B_PUBLIC accepted (two size bytes plus the attest bundle's TPMT_PUBLIC bound). */
    public static final int MAX_AK_PUBLIC = 2 + 1024;
    /** Largest TPM name: algorithm id plus a SHA-512 digest. */
    public static final int MAX_AK_NAME = 2 + 64;
    /** Largest EK certificate carried. */
    public static final int MAX_EK_CERTIFICATE = 4096;

    public LogHeader {
        akPublicArea = bounded("akPublic", akPublicArea, 1, MAX_AK_PUBLIC);
        akName = bounded("akName", akName, 3, MAX_AK_NAME);
        ekCertificate = bounded("ekCert", ekCertificate, 0, MAX_EK_CERTIFICATE);
    }

    private static byte[] bounded(String field, byte[] value, int min, int max) {
        if (value == null) {
            throw new InvalidFieldException(field, "is missing");
        }
        if (value.length < min || value.length > max) {
            throw new InvalidFieldException(field, "has " + value.length + " bytes, expected " + min + " to " + max);
        }
        return value.clone();
    }

    @Override
    public byte[] akPublicArea() {
        return akPublicArea.clone();
    }

    @Override
    public byte[] akName() {
        return akName.clone();
    }

    @Override
    public byte[] ekCertificate() {
        return ekCertificate.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogHeader h && Arrays.equals(akPublicArea, h.akPublicArea) && Arrays.equals(akName, h.akName)
                && Arrays.equals(ekCertificate, h.ekCertificate);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(akPublicArea) + Arrays.hashCode(akName)) + Arrays.hashCode(ekCertificate);
    }

    @Override
    public String toString() {
        return "LogHeader[akName=" + HexFormat.of().formatHex(akName) + ", ekCert "
                + (ekCertificate.length == 0 ? "absent" : ekCertificate.length + " bytes") + "]";
    }
}
