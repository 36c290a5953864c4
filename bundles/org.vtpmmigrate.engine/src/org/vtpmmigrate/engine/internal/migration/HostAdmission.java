package org.vtpmmigrate.engine.internal.migration;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.AdmissionDecision;
import org.vtpmmigrate.protocol.MigrationAdmission;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.MigrationRequest;

/**
 * The destination's answer to one incoming request. It admits only: a migration id never seen here
 * (a replayed request is refused), a source enrolled under the host id it claimed in its preface, a
 * policy known here with the same digest and launch PCR, a VM defined here and not present, and a
 * vTPM epoch newer than any this host has seen for that VM (no rollback, no clone). It reserves the
 * VM for the run and hands out the verifier that judges the source against the policy.
 */
final class HostAdmission implements MigrationAdmission {
    /** The decision with what the run needs to know about it. */
    record Decision(MigrationRequest request, AdmissionDecision decision) {
    }

    /** The migration ids this host has seen, newest last, bounded. Thread-safe. */
    static final class SeenIds {
        static final int REMEMBERED = 65536;
        private final LinkedHashSet<Bytes> ids = new LinkedHashSet<>();

        /** Records an id; false if it was seen before. */
        synchronized boolean firstSighting(Bytes id) {
            if (!ids.add(id)) {
                return false;
            }
            if (ids.size() > REMEMBERED) {
                Iterator<Bytes> oldest = ids.iterator();
                oldest.next();
                oldest.remove();
            }
            return true;
        }
    }

    private final String claimedSource;
    private final PeerRegistry peers;
    private final PolicyCatalog policies;
    private final VmManager vms;
    private final VtpmStore store;
    private final int launchPcr;
    private final SeenIds seenIds;
    private final Consumer<PartyVerdict> verdicts;
    private final Consumer<Decision> decided;

    /**
     * @param claimedSource the host id from the connection's preface
     * @param verdicts where the source's verifier reports
     * @param decided told of every decision, before the session acts on it
     */
    HostAdmission(String claimedSource, PeerRegistry peers, PolicyCatalog policies, VmManager vms, VtpmStore store,
            int launchPcr, SeenIds seenIds, Consumer<PartyVerdict> verdicts, Consumer<Decision> decided) {
        this.claimedSource = Objects.requireNonNull(claimedSource, "claimedSource");
        this.peers = peers;
        this.policies = policies;
        this.vms = vms;
        this.store = store;
        this.launchPcr = launchPcr;
        this.seenIds = seenIds;
        this.verdicts = verdicts;
        this.decided = decided;
    }

    @Override
    public AdmissionDecision admit(MigrationRequest request) {
        AdmissionDecision decision = decide(request);
        decided.accept(new Decision(request, decision));
        return decision;
    }

    private AdmissionDecision decide(MigrationRequest request) {
        String vmId = request.vmId();
        if (!seenIds.firstSighting(request.migrationId())) {
            return AdmissionDecision.refuse("migration id " + request.migrationId().toHex()
                    + " was seen here before: a replayed request");
        }
        Optional<PeerRegistry.Peer> source = peers.byHostId(claimedSource);
        if (source.isEmpty()) {
            return AdmissionDecision.refuse("source host '" + claimedSource + "' is not enrolled here");
        }
        Optional<MigrationPolicy> policy = policies.find(request.policyId());
        if (policy.isEmpty()) {
            return AdmissionDecision.refuse("policy '" + request.policyId() + "' is not known here");
        }
        if (!policy.get().digest().equals(request.policyDigest())) {
            return AdmissionDecision.refuse("policy '" + request.policyId() + "' has digest "
                    + policy.get().digest().toHex() + " here, the request names " + request.policyDigest().toHex());
        }
        if (policy.get().launchPcr() != launchPcr) {
            return AdmissionDecision.refuse("policy '" + request.policyId() + "' expects launches in PCR "
                    + policy.get().launchPcr() + ", this host measures them into PCR " + launchPcr);
        }
        Optional<VmConfig> definition = vms.definition(vmId);
        if (definition.isEmpty()) {
            return AdmissionDecision.refuse("VM " + vmId + " is not defined here");
        }
        OptionalLong seen;
        LaunchMeasurement measuredHere;
        try {
            seen = store.highestEpochSeen(vmId);
            measuredHere = LaunchMeasurement.of(definition.get());
        } catch (HypervisorException e) {
            return AdmissionDecision.refuse("VM " + vmId + " cannot be prepared here: " + e.getMessage());
        }
        if (seen.isPresent() && request.vtpmEpoch() <= seen.getAsLong()) {
            return AdmissionDecision.refuse("vTPM epoch " + request.vtpmEpoch() + " of VM " + vmId
                    + " is not newer than epoch " + seen.getAsLong() + " seen here: a rollback or a clone");
        }
        Optional<String> busy = vms.reserveIncoming(vmId);
        if (busy.isPresent()) {
            return AdmissionDecision.refuse(busy.get());
        }
        PeerEvidenceVerifier verifier = new PeerEvidenceVerifier(source.get(), policy.get(), Role.SOURCE,
                Optional.of(new PeerEvidenceVerifier.ExpectedVm(vmId, measuredHere.events())), verdicts);
        return AdmissionDecision.accept(policy.get().selection(), verifier);
    }
}
