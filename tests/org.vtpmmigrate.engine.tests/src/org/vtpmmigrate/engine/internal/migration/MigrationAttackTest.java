package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.engine.migration.MigrationHandle;
import org.vtpmmigrate.engine.migration.MigrationResult;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;

/**
 * The attacks of the protocol's list that concern the hosts and the VM, each against real hosts:
 * refused with its typed reason, the VM still running on the source with its vTPM state, nothing
 * installed on the destination.
 */
class MigrationAttackTest {
    private static final String VM = "vm-guarded";

    @TempDir
    Path temp;
    private TwoHosts hosts;
    private VmConfig config;
    private VtpmInstance sourceInstance;

    @BeforeEach
    void startHostsAndVm() throws Exception {
        hosts = TwoHosts.start(temp);
        config = TestHost.vm(VM, 128);
    }

    @AfterEach
    void stopHosts() {
        hosts.close();
    }

    private void startVmAllowedByPolicy() throws Exception {
        hosts.sharePolicy(config);
        sourceInstance = hosts.startOnA(config);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aDestinationWhosePcrsBreakThePolicyIsRefused() throws Exception {
        startVmAllowedByPolicy();
        // B booted something the policy does not know (logged and extended: the log still replays)
        hosts.b.engine.platform().measure(4, EventType.EV_POST_CODE, ascii("unapproved boot loader 6.6.6"));

        Runs runs = migrate();

        assertFailure(runs.onA, FailureReason.PEER_ATTESTATION_REJECTED, Optional.empty());
        PartyVerdict destination = runs.onA.verdict(PartyVerdict.Party.DESTINATION);
        assertRejected(destination, VerificationCheck.POLICY, "PCR sha256:4", PartyVerdict.Origin.VERIFIED_HERE);
        assertTrue(destination.reasons().get(0).detail().contains("unapproved boot loader"),
                "the verdict names the event behind the PCR: " + destination);
        assertFailure(runs.onB, FailureReason.PEER_ABORTED, Optional.of(FailureReason.PEER_ATTESTATION_REJECTED));
        assertRejected(runs.onB.verdict(PartyVerdict.Party.DESTINATION), VerificationCheck.POLICY, "PCR sha256:4",
                PartyVerdict.Origin.REPORTED_BY_PEER);
        assertEquals(PartyVerdict.Status.NOT_EVALUATED, runs.onB.verdict(PartyVerdict.Party.SOURCE).status(),
                "B never saw A's evidence");
        assertVmStayedOnA(runs);
    }

    @Test
    void aDestinationWhosePcrsChangeAfterAttestationCannotUseItsBoundKey() throws Exception {
        startVmAllowedByPolicy();
        hosts.b.faults.afterBoundKeyCreated = platform -> platform.measure(7, EventType.EV_POST_CODE,
                ascii("changed after the quote"));

        Runs runs = migrate();

        // A accepted B's quote and certified key: they were true when made
        assertEquals(PartyVerdict.Status.ACCEPTED, runs.onA.verdict(PartyVerdict.Party.DESTINATION).status());
        assertFailure(runs.onA, FailureReason.PEER_ABORTED, Optional.of(FailureReason.BOUND_KEY_UNUSABLE));
        assertFailure(runs.onB, FailureReason.BOUND_KEY_UNUSABLE, Optional.empty());
        assertTrue(runs.onB.failure().orElseThrow().detail().contains("PCRs changed"),
                runs.onB.failure().orElseThrow().detail());
        assertVmStayedOnA(runs);
    }

    @Test
    void aCompromisedSourceCannotPushItsVm() throws Exception {
        startVmAllowedByPolicy();
        hosts.a.engine.platform().measure(4, EventType.EV_POST_CODE, ascii("rootkit 1.0"));

        Runs runs = migrate();

        assertFailure(runs.onB, FailureReason.PEER_ATTESTATION_REJECTED, Optional.empty());
        assertRejected(runs.onB.verdict(PartyVerdict.Party.SOURCE), VerificationCheck.POLICY, "PCR sha256:4",
                PartyVerdict.Origin.VERIFIED_HERE);
        assertEquals(PartyVerdict.Status.ACCEPTED, runs.onB.verdict(PartyVerdict.Party.VM).status(),
                "the VM itself is allowed; its host is not");
        assertFailure(runs.onA, FailureReason.PEER_ABORTED, Optional.of(FailureReason.PEER_ATTESTATION_REJECTED));
        assertRejected(runs.onA.verdict(PartyVerdict.Party.SOURCE), VerificationCheck.POLICY, "PCR sha256:4",
                PartyVerdict.Origin.REPORTED_BY_PEER);
        assertVmStayedOnA(runs);
    }

    @Test
    void aVmWhoseLaunchMeasurementIsNotAllowedIsNotMoved() throws Exception {
        // the policy allows the same VM with other memory: its configuration digest differs
        hosts.sharePolicy(TestHost.vm(VM, 256));
        sourceInstance = hosts.startOnA(config);

        Runs runs = migrate();

        assertFailure(runs.onB, FailureReason.PEER_ATTESTATION_REJECTED, Optional.empty());
        assertRejected(runs.onB.verdict(PartyVerdict.Party.VM), VerificationCheck.LAUNCH_MEASUREMENT,
                "measurement configuration=sha256:", PartyVerdict.Origin.VERIFIED_HERE);
        assertEquals(PartyVerdict.Status.ACCEPTED, runs.onB.verdict(PartyVerdict.Party.SOURCE).status());
        assertFailure(runs.onA, FailureReason.PEER_ABORTED, Optional.of(FailureReason.PEER_ATTESTATION_REJECTED));
        assertRejected(runs.onA.verdict(PartyVerdict.Party.VM), VerificationCheck.LAUNCH_MEASUREMENT,
                "configuration", PartyVerdict.Origin.REPORTED_BY_PEER);
        assertVmStayedOnA(runs);
    }

    @Test
    void aReplayedDestinationQuoteIsRefusedAsStale() throws Exception {
        startVmAllowedByPolicy();
        // an attacker recorded B's genuine answer to an earlier challenge
        byte[] oldNonce = new byte[32];
        new SecureRandom().nextBytes(oldNonce);
        AttestationEvidence recorded;
        try (HostAttestor attestor = new HostAttestor(hosts.b.engine.platform(), Role.DESTINATION, List.of(),
                FaultInjection.NONE, TwoHosts.TIMEOUT)) {
            recorded = attestor.attest(Bytes.of(oldNonce), hosts.a.policies.find(TwoHosts.POLICY).get().selection());
        }
        hosts.b.faults.evidence = genuine -> recorded;

        Runs runs = migrate();

        assertFailure(runs.onA, FailureReason.STALE_EVIDENCE, Optional.empty());
        assertRejected(runs.onA.verdict(PartyVerdict.Party.DESTINATION), VerificationCheck.NONCE, "extraData",
                PartyVerdict.Origin.VERIFIED_HERE);
        assertFailure(runs.onB, FailureReason.PEER_ABORTED, Optional.of(FailureReason.STALE_EVIDENCE));
        assertVmStayedOnA(runs);
    }

    @Test
    void aSwappedBoundKeyIsRefused() throws Exception {
        startVmAllowedByPolicy();
        // another key of B's TPM, bound to the same PCR values: only its name differs from the certified one
        byte[] otherKey;
        HostPlatform platform = hosts.b.engine.platform();
        try (HostPlatform.StateLease lease = platform.acquireStateLease(TwoHosts.TIMEOUT)) {
            HostPlatform.CertifiedBoundKey key = platform.createBoundKey(platform.readPcrs(PcrConversions.toTpm(
                    hosts.a.policies.find(TwoHosts.POLICY).get().selection())), new byte[32]);
            otherKey = key.key().keyPublic().tpm2bPublic();
            platform.closeKey(key.key());
        }
        hosts.b.faults.boundKeyOffer = genuine -> new BoundKeyOffer(Bytes.of(otherKey), genuine.certifyInfo(),
                genuine.certifySignature());

        Runs runs = migrate();

        assertFailure(runs.onA, FailureReason.BOUND_KEY_REJECTED, Optional.empty());
        assertRejected(runs.onA.verdict(PartyVerdict.Party.DESTINATION), VerificationCheck.KEY_NAME, "certified name",
                PartyVerdict.Origin.VERIFIED_HERE);
        assertFailure(runs.onB, FailureReason.PEER_ABORTED, Optional.of(FailureReason.BOUND_KEY_REJECTED));
        assertVmStayedOnA(runs);
    }

    @Test
    void aSourceTheDestinationDoesNotTrustIsRefusedBeforeAnyEvidence() throws Exception {
        startVmAllowedByPolicy();
        assertTrue(hosts.b.engine.unenrol("host-a"));

        Runs runs = migrate();

        assertFailure(runs.onB, FailureReason.REQUEST_REFUSED, Optional.empty());
        assertTrue(runs.onB.failure().orElseThrow().detail().contains("source host 'host-a' is not enrolled here"),
                runs.onB.failure().orElseThrow().detail());
        assertFailure(runs.onA, FailureReason.PEER_ABORTED, Optional.of(FailureReason.REQUEST_REFUSED));
        for (PartyVerdict.Party party : PartyVerdict.Party.values()) {
            assertEquals(PartyVerdict.Status.NOT_EVALUATED, runs.onA.verdict(party).status(), party.name());
        }
        assertVmStayedOnA(runs);
    }

    /** The run as each host recorded it. */
    private record Runs(MigrationResult onA, MigrationResult onB) {
    }

    private Runs migrate() throws Exception {
        MigrationHandle handle = hosts.migrateToB(VM);
        MigrationResult onA = handle.await(TwoHosts.TIMEOUT);
        return new Runs(onA, TwoHosts.resultOf(hosts.b, handle.migrationId()));
    }

    private static void assertFailure(MigrationResult result, FailureReason reason, Optional<FailureReason> peer) {
        assertEquals(MigrationResult.Status.REFUSED, result.status(), () -> result.role() + ": " + result.failure());
        assertEquals(reason, result.failure().orElseThrow().reason(), () -> result.role() + ": " + result.failure());
        assertEquals(peer, result.failure().orElseThrow().peerReason(), () -> result.role() + ": " + result.failure());
    }

    private static void assertRejected(PartyVerdict verdict, VerificationCheck check, String detailPart,
            PartyVerdict.Origin origin) {
        assertEquals(PartyVerdict.Status.REJECTED, verdict.status(), verdict.toString());
        assertEquals(origin, verdict.origin(), verdict.toString());
        assertTrue(verdict.failed(check), "expected a " + check + " failure: " + verdict);
        VerificationFailure first = verdict.reasons().stream().filter(r -> r.check() == check).findFirst().get();
        assertTrue(first.detail().contains(detailPart), "expected '" + detailPart + "' in " + first);
    }

    /** Nothing moved: A runs the VM with its vTPM state, B holds nothing of it. */
    private void assertVmStayedOnA(Runs runs) throws Exception {
        assertEquals(MigrationResult.Placement.RUNNING_HERE, runs.onA.placement());
        assertEquals(MigrationResult.Placement.NOT_HERE, runs.onB.placement());
        assertEquals(0, runs.onA.streamBytes(), "stream bytes were sent before the verdict");
        assertEquals(VmStatus.State.RUNNING, hosts.a.engine.vm(VM).orElseThrow().state());
        assertEquals(Optional.of(RunState.RUNNING), TwoHosts.qemuState(hosts.a, VM));
        assertTrue(Files.isDirectory(sourceInstance.stateDirectory()), "A lost the vTPM state");
        assertEquals(OptionalLong.of(1), hosts.a.engine.vm(VM).orElseThrow().vtpmEpoch(),
                "the epoch is advanced before it is offered");
        assertEquals(VmStatus.State.DEFINED, hosts.b.engine.vm(VM).orElseThrow().state());
        assertEquals(Optional.empty(), hosts.b.engine.machine(VM));
        assertFalse(hosts.b.store.instanceIds().contains(VM), "B created a vTPM instance");
    }
}
