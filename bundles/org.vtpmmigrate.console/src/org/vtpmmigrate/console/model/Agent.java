package org.vtpmmigrate.console.model;

import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.PeerSummary;
import org.vtpmmigrate.management.VmSummary;

/**
 * What the console knows of one engine agent at one moment. Immutable: the {@link AgentRegistry}
 * replaces it as jobs learn more. Connection ({@link #reachability()}) and integrity
 * ({@link #attestation()}) are separate: the last verdict stays visible, marked by its time, when the
 * agent later becomes unreachable.
 *
 * @param hostId the host id the console lists the agent under
 * @param baseUri the agent's management API, {@code https://host:port}
 * @param sources how the console learnt of it
 * @param reachability the state of the last contact
 * @param contactProblem why the last contact failed, or null
 * @param lastContact when the agent last answered, or null
 * @param hostInfo what the agent last said about itself, or null
 * @param vms the agent's VMs as last listed, or null when never listed
 * @param peers the hosts the agent has enrolled as last listed, or null when never listed (or the
 *        agent does not list them)
 * @param attestation the console's last check of the host's evidence, or null
 * @param attestationProblem why the last attempt to check the evidence failed, or null
 * @param attesting whether a check is running now
 */
public record Agent(String hostId, URI baseUri, Set<AgentSource> sources, Reachability reachability,
        Failure contactProblem, Instant lastContact, HostInfo hostInfo, List<VmSummary> vms,
        List<PeerSummary> peers, EvidenceReport attestation, Failure attestationProblem, boolean attesting) {

    public Agent {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(reachability, "reachability");
        sources = sources.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(sources));
        vms = vms == null ? null : List.copyOf(vms);
        peers = peers == null ? null : List.copyOf(peers);
    }

    /** A newly listed agent, not contacted yet. */
    public static Agent listed(String hostId, URI baseUri, Set<AgentSource> sources) {
        return new Agent(hostId, baseUri, sources, Reachability.NOT_CONTACTED, null, null, null, null, null, null,
                null, false);
    }

    /** {@code host:port} of the management API. */
    public String address() {
        return baseUri.getHost() + ":" + baseUri.getPort();
    }

    public Optional<HostInfo> info() {
        return Optional.ofNullable(hostInfo);
    }

    public Optional<EvidenceReport> lastAttestation() {
        return Optional.ofNullable(attestation);
    }

    /** The number of VMs, or empty when they were never listed. */
    public Optional<Integer> vmCount() {
        return vms == null ? Optional.empty() : Optional.of(vms.size());
    }

    /** The number of enrolled peers, or empty when they were never listed. */
    public Optional<Integer> peerCount() {
        return peers == null ? Optional.empty() : Optional.of(peers.size());
    }

    /** Whether the console started this agent itself (a local demo host). */
    public boolean local() {
        return sources.contains(AgentSource.LOCAL);
    }

    /**
     * The agent answers under another host id than it is listed with (a wrong inventory line, or
     * another agent on that address): the console says so rather than mixing the two up.
     */
    public Optional<String> identityMismatch() {
        if (hostInfo != null && !hostInfo.hostId().equals(hostId)) {
            return Optional.of("listed as " + hostId + " but answers as " + hostInfo.hostId());
        }
        return Optional.empty();
    }

    Agent withSources(Set<AgentSource> newSources, URI newBaseUri) {
        return new Agent(hostId, newBaseUri, newSources, reachability, contactProblem, lastContact, hostInfo, vms,
                peers, attestation, attestationProblem, attesting);
    }

    Agent contacting() {
        return new Agent(hostId, baseUri, sources, reachability == Reachability.NOT_CONTACTED
                || reachability == Reachability.UNREACHABLE ? Reachability.CONTACTING : reachability, contactProblem,
                lastContact, hostInfo, vms, peers, attestation, attestationProblem, attesting);
    }

    Agent answered(HostInfo info, List<VmSummary> vmList, List<PeerSummary> peerList, Instant at) {
        return new Agent(hostId, baseUri, sources, Reachability.REACHABLE, null, at, info, vmList, peerList,
                attestation, attestationProblem, attesting);
    }

    Agent contactFailed(Reachability state, Failure problem) {
        return new Agent(hostId, baseUri, sources, state, problem, lastContact, hostInfo, vms, peers,
                attestation, attestationProblem, attesting);
    }

    Agent attesting(boolean running) {
        return new Agent(hostId, baseUri, sources, reachability, contactProblem, lastContact, hostInfo, vms,
                peers, attestation, running ? null : attestationProblem, running);
    }

    Agent attested(EvidenceReport report) {
        return new Agent(hostId, baseUri, sources, Reachability.REACHABLE, null, report.receivedAt(), hostInfo, vms,
                peers, report, null, false);
    }

    Agent attestationFailed(Failure problem) {
        return new Agent(hostId, baseUri, sources, reachability, contactProblem, lastContact, hostInfo, vms,
                peers, attestation, problem, false);
    }
}
