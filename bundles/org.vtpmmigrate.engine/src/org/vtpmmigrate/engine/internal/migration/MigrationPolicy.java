package org.vtpmmigrate.engine.internal.migration;

import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.LaunchMeasurement;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * A migration policy as the engine uses it: named in requests by id and digest, it says which PCRs
 * each host must quote and judges evidence whose integrity the verifier has already established
 * (signature, nonce, PCR digest, log replay). The verdict lists every problem, each with the check
 * it belongs to ({@code POLICY}, {@code LAUNCH_MEASUREMENT}) and what exactly was found.
 */
public interface MigrationPolicy {
    /** The name in {@link org.vtpmmigrate.protocol.wire.MigrationRequest#policyId()}. */
    String id();

    /** SHA-256 over the policy's canonical form: both hosts must hold the same policy. */
    Bytes digest();

    /** The PCRs both hosts quote (SHA-256 bank), the launch PCR included. */
    PcrSelection selection();

    /** The SHA-256 PCR that holds VM launch events; in {@link #selection()}. */
    int launchPcr();

    /** Judges verified evidence. */
    Verdict evaluate(Evidence evidence);

    /**
     * What the policy judges.
     *
     * @param attester the role of the host that produced the evidence
     * @param pcrs the quoted PCR values (quote verified, log replayed)
     * @param log the attester's event log, replaying to {@code pcrs}
     * @param launchMeasurements the migrating VM's launch measurements (source evidence only), each
     *     already found among the launch events the quote covers
     */
    record Evidence(Role attester, PcrValues pcrs, EventLog log, List<LaunchMeasurement> launchMeasurements) {
        public Evidence {
            Objects.requireNonNull(attester, "attester");
            Objects.requireNonNull(pcrs, "pcrs");
            Objects.requireNonNull(log, "log");
            launchMeasurements = List.copyOf(launchMeasurements);
        }
    }
}
