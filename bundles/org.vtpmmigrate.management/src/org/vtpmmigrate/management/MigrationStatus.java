package org.vtpmmigrate.management;

import java.time.Instant;
import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * A migration run as its source agent sees it: {@code GET /v1/migrations/{migrationId}}. Progress
 * ({@code phase}, byte counts) and judgement ({@code verdicts}) are separate fields, and {@code result}
 * is null until the run has ended: a run in {@code TRANSFER} has passed attestation, nothing more.
 *
 * @param migrationId the run's id
 * @param vmId the VM being moved
 * @param sourceHostId the source host (the agent answering)
 * @param destinationHostId the destination host
 * @param policyId the policy of the run
 * @param policyDigest the digest of the policy text the run uses, lower-case hex
 * @param requestedBy the certificate subject of the administrator who started the run, or null if it
 *        was started locally
 * @param phase one of {@link Phase}, as its name
 * @param state the protocol state inside the phase (for diagnostics), or null
 * @param bytesTransferred migration stream bytes sent so far
 * @param bytesTotal expected stream size, or -1 while unknown (pre-copy rounds re-send dirty pages)
 * @param precopyRounds completed pre-copy rounds
 * @param startedAt when the request was admitted
 * @param elapsedMs milliseconds since {@code startedAt}, or the run's duration once finished
 * @param verdicts one verdict per party verified so far or pending
 * @param result null while running; how it ended otherwise
 */
public record MigrationStatus(String migrationId, String vmId, String sourceHostId, String destinationHostId,
        String policyId, String policyDigest, String requestedBy, String phase, String state,
        long bytesTransferred, long bytesTotal, int precopyRounds, Instant startedAt, long elapsedMs,
        List<PartyVerdict> verdicts, MigrationResult result) {

    public MigrationStatus {
        Check.identifier("migrationId", migrationId);
        Check.identifier("vmId", vmId);
        Check.identifier("sourceHostId", sourceHostId);
        Check.identifier("destinationHostId", destinationHostId);
        Check.identifier("policyId", policyId);
        Check.sha256Hex("policyDigest", policyDigest);
        Check.optionalText("requestedBy", requestedBy, Check.MAX_TEXT);
        Check.token("phase", phase);
        if (state != null) {
            Check.token("state", state);
        }
        Check.nonNegative("bytesTransferred", bytesTransferred);
        Check.nonNegativeOrUnknown("bytesTotal", bytesTotal);
        Check.range("precopyRounds", precopyRounds, 0, Integer.MAX_VALUE);
        Check.required("startedAt", startedAt);
        Check.nonNegative("elapsedMs", elapsedMs);
        verdicts = Check.list("verdicts", verdicts, 0, 8);
    }

    /** The protocol phases, in order (docs/PROTOCOL.md). */
    public enum Phase {
        /** Admission of the request. */
        REQUEST,
        /** Both hosts and the VM prove their state. */
        ATTESTATION,
        /** The key bound to the destination's platform state, ECDH, key confirmation. */
        KEY_ESTABLISHMENT,
        /** The VM's migration stream and the vTPM state in sealed records. */
        TRANSFER,
        /** The destination resumes the VM and signs the commit. */
        COMMIT,
        /** Finished; see {@link MigrationStatus#result()}. */
        DONE
    }

    /** Whether the run has ended. */
    public boolean finished() {
        return result != null;
    }
}
