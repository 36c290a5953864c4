package org.vtpmmigrate.audit;

import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.util.Objects;

import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.audit.internal.AttestationKeyCheck;
import org.vtpmmigrate.audit.internal.ChainVerification;
import org.vtpmmigrate.audit.internal.LogFiles;

/**
 * Verifies a host's audit log offline: every line is parsed and checked for form, sequence,
 * link to its predecessor, record hash and AK signature, and gets its own result. Needs no TPM.
 * Thread-safe.
 */
public final class AuditLogVerifier {
    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECORDS = 100_000;

    private final long maxFileBytes;
    private final int maxRecords;

    public AuditLogVerifier() {
        this(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RECORDS);
    }

    /** A verifier that refuses files larger than {@code maxFileBytes} or with more than {@code maxRecords} lines. */
    public AuditLogVerifier(long maxFileBytes, int maxRecords) {
        if (maxFileBytes <= 0 || maxRecords <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxFileBytes + " bytes, " + maxRecords
                    + " records");
        }
        this.maxFileBytes = Math.min(maxFileBytes, Integer.MAX_VALUE - 8);
        this.maxRecords = maxRecords;
    }

    /**
     * Verifies with the AK the log header names. The result shows the log is intact and signed by
     * that AK; compare the AK's name with the host's enrolment to know it is the host's.
     *
     * @throws AuditLogException if the file cannot be read or exceeds the limits
     */
    public VerificationReport verify(Path file) throws AuditLogException {
        return verify(file.toString(), LogFiles.read(file, maxFileBytes), null);
    }

    /**
     * Verifies every signature with {@code expectedAk} (the host's enrolled AK); a header naming
     * another AK is reported on the header record.
     *
     * @throws IllegalArgumentException if {@code expectedAk} is not a restricted fixedTPM signing key
     * @throws AuditLogException if the file cannot be read or exceeds the limits
     */
    public VerificationReport verify(Path file, TpmPublic expectedAk) throws AuditLogException {
        Objects.requireNonNull(expectedAk, "expectedAk");
        AttestationKeyCheck ak = usable(expectedAk);
        return verify(file.toString(), LogFiles.read(file, maxFileBytes), ak);
    }

    /** Verifies log content already read (the writer's, under its lock). */
    VerificationReport verify(String source, byte[] content, AttestationKeyCheck expectedAk) throws AuditLogException {
        if (content.length > maxFileBytes) {
            throw new AuditLogException(source + ": larger than the limit of " + maxFileBytes + " bytes");
        }
        return ChainVerification.verify(source, content, expectedAk, maxRecords);
    }

    long maxFileBytes() {
        return maxFileBytes;
    }

    static AttestationKeyCheck usable(TpmPublic ak) {
        try {
            return AttestationKeyCheck.of(ak);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("the expected AK cannot sign audit records: " + e.getMessage(), e);
        }
    }
}
