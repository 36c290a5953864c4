package org.vtpmmigrate.engine.internal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.audit.AuditLogVerifier;
import org.vtpmmigrate.audit.VerificationReport;
import org.vtpmmigrate.engine.internal.AgentSettings;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.AuditRecord;
import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.StartMigrationRequest;
import org.vtpmmigrate.management.VmDetails;
import org.vtpmmigrate.testsupport.Await;

/**
 * Two complete hosts in this process, each from its agent settings: a simulated platform TPM
 * (swtpm), the engine, the attestation log and the management API over mutual TLS. Everything is
 * driven as an administrator would, through the management client only.
 */
class EngineHostTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String VM = "vm-managed";

    @TempDir
    Path temp;
    private LocalHostKit kit;
    private final List<EngineHost> hosts = new ArrayList<>();

    @BeforeEach
    void prepare() throws Exception {
        kit = LocalHostKit.prepare(temp.resolve("lab"), List.of("host-a", "host-b"), Map.of(), Map.of());
        VmConfig vm = VmConfig.builder().name(VM).memoryMiB(64).accelerator(VmConfig.Accelerator.TCG).build();
        kit.defineVm("host-a", vm);
        kit.defineVm("host-b", vm);
    }

    @AfterEach
    void stop() {
        hosts.forEach(EngineHost::close);
    }

    private EngineHost start(String hostId) throws Exception {
        EngineHost host = EngineHost.start(AgentSettings.parse(kit.host(hostId).settings()));
        hosts.add(host);
        return host;
    }

    private ManagementClient client(EngineHost host) throws Exception {
        InetSocketAddress address = host.managementAddress().orElseThrow();
        return ManagementClient.create(URI.create("https://127.0.0.1:" + address.getPort()), kit.administrator(),
                new ClientSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), 8 << 20));
    }

    private static String peerAddress(EngineHost host) {
        return "127.0.0.1:" + host.engine().identity().peerAddress().port();
    }

    @Test
    void aVmMovesBetweenTwoHostsDrivenOnlyThroughTheirManagementApis() throws Exception {
        EngineHost a = start("host-a");
        EngineHost b = start("host-b");
        ManagementClient ca = client(a);
        ManagementClient cb = client(b);

        HostInfo info = ca.hostInfo();
        assertEquals("host-a", info.hostId());
        assertEquals("ENROLLED", info.enrolment().state(), "the simulated TPM has an EK certificate");

        assertEquals("host-b", ca.enrolPeer(new EnrolPeerRequest(peerAddress(b))).hostId());
        assertEquals("host-a", cb.enrolPeer(new EnrolPeerRequest(peerAddress(a))).hostId());
        assertEquals(List.of("host-b"), ca.peers().peers().stream().map(p -> p.hostId()).toList());

        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        HostEvidence evidence = ca.hostEvidence(new EvidenceRequest(Base64.getEncoder().encodeToString(nonce),
                List.of(new EvidenceRequest.PcrSelection("sha256", List.of(0, 1, 2, 3, 4, 5, 6, 7, 15))), true,
                false));
        assertEquals(9, evidence.pcrs().size());
        assertFalse(evidence.ekCertificateChain().isEmpty(), "the EK certificate and its CA come with the evidence");
        VmDetails vm = ca.vm(VM);
        assertEquals("DEFINED", vm.state());
        Policy policy = EvidencePolicies.fromEvidence("lab", evidence, nonce, List.of(vm));
        String text = PolicyJson.write(policy);
        PolicySummary onA = ca.putPolicy("lab", new PolicyUpload(text, null));
        cb.putPolicy("lab", new PolicyUpload(text, null));

        assertEquals("RUNNING", ca.startVm(VM).state());
        String id = ca.startMigration(new StartMigrationRequest(VM, "host-b", null, "lab", onA.digest())).migrationId();
        MigrationStatus end = Await.value(() -> {
            try {
                MigrationStatus s = ca.migration(id);
                return s.finished() ? java.util.Optional.of(s) : java.util.Optional.empty();
            } catch (ManagementException e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT, "the migration to end");

        assertEquals("COMMITTED", end.result().outcome(), end.result()::message);
        assertEquals("DONE", end.phase());
        assertEquals("host-b", end.destinationHostId());
        assertEquals(onA.digest(), end.policyDigest());
        assertTrue(end.requestedBy().contains("CN=local-administrator"), "the run names who asked for it: "
                + end.requestedBy());
        assertTrue(end.verdicts().stream().allMatch(v -> v.status().equals("ACCEPTED")), end.verdicts()::toString);
        assertTrue(end.bytesTransferred() > 0, "the VM's state went through the record layer");
        assertEquals("RUNNING", cb.vm(VM).state());
        assertEquals("DEFINED", ca.vm(VM).state(), "nothing of the VM is left on host-a");
        MigrationStatus onB = cb.migration(id);
        assertEquals("COMMITTED", onB.result().outcome());
        assertEquals(end.bytesTransferred(), onB.bytesTransferred(), "both ends count the same stream");

        // both attestation logs hold the run and verify offline, record by record
        for (EngineHost h : List.of(a, b)) {
            // the log is written from the engine's event thread, right after the run's end
            String last = h == a ? "VTPM_STATE_DELETED" : "COMMIT_SENT";
            Await.until(() -> types(h).contains(last), TIMEOUT, h.hostId() + " to record " + last);
            AuditPage page = client(h).audit(0, AuditPage.MAX_LIMIT);
            List<String> types = page.records().stream().map(AuditRecord::type).toList();
            assertTrue(types.containsAll(List.of("LOG_OPENED", "MIGRATION_REQUESTED", "ATTESTATION_VERDICT",
                    "KEY_ESTABLISHED", "TRANSFER_COMPLETE")), h.hostId() + ": " + types);
            VerificationReport report = new AuditLogVerifier().verify(h.audit().file());
            assertTrue(report.verified(), report::summary);
            assertEquals(page.records().size(), report.results().size());
        }
    }

    @Test
    void enrolledPeersAreKeptAcrossARestartAndAnUnreadableRecordIsLeftOut() throws Exception {
        EngineHost a = start("host-a");
        EngineHost b = start("host-b");
        client(a).enrolPeer(new EnrolPeerRequest(peerAddress(b)));
        a.close();
        hosts.remove(a);
        // a record someone edited: it is skipped with the reason in the log, the good one stays
        java.nio.file.Path store = java.nio.file.Path.of(kit.host("host-a").settings().get("data.dir"), "work",
                "enrolled-peers");
        java.nio.file.Files.writeString(store, "vtpm-migrate-peers-v1 host-x 127.0.0.1 9 bm90IGEga2V5 x x 0\n",
                java.nio.file.StandardOpenOption.APPEND);

        EngineHost again = start("host-a");
        assertEquals(List.of("host-b"), client(again).peers().peers().stream().map(p -> p.hostId()).toList(),
                "host-b is still enrolled after the restart, the broken record is not");
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                java.nio.file.Files.getPosixFilePermissions(store), "the store is its owner's only");
    }

    private List<String> types(EngineHost host) {
        try {
            return client(host).audit(0, AuditPage.MAX_LIMIT).records().stream().map(AuditRecord::type).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void policiesSurviveARestartAndThePolicyTheEngineCannotEnforceIsRefused() throws Exception {
        EngineHost a = start("host-a");
        ManagementClient ca = client(a);
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        HostEvidence evidence = ca.hostEvidence(new EvidenceRequest(Base64.getEncoder().encodeToString(nonce),
                List.of(new EvidenceRequest.PcrSelection("sha256", List.of(0, 4, 7, 15))), true, false));
        Policy policy = EvidencePolicies.fromEvidence("kept", evidence, nonce, List.of(ca.vm(VM)));
        PolicySummary stored = ca.putPolicy("kept", new PolicyUpload(PolicyJson.write(policy), null));

        Policy.Builder noVms = Policy.builder("no-vms").pcrSelection(policy.pcrSelection());
        policy.referenceValues().forEach((pcr, banks) -> banks.forEach((bank, values) ->
                noVms.referenceValues(bank, pcr, values)));
        ManagementException refused = assertThrows(ManagementException.class,
                () -> ca.putPolicy("no-vms", new PolicyUpload(PolicyJson.write(noVms.build()), null)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertTrue(refused.getMessage().contains("vmLaunch"), refused::getMessage);
        ManagementException stale = assertThrows(ManagementException.class,
                () -> ca.putPolicy("kept", new PolicyUpload(PolicyJson.write(policy), "00".repeat(32))));
        assertEquals(ErrorCode.CONFLICT, stale.code());

        int recordsBefore = ca.audit(0, AuditPage.MAX_LIMIT).records().size();
        a.close();
        hosts.remove(a);
        EngineHost again = start("host-a");
        ManagementClient c2 = client(again);
        assertEquals(stored.digest(), c2.policy("kept").digest(), "the stored policy is back after a restart");
        AuditPage log = c2.audit(0, AuditPage.MAX_LIMIT);
        assertTrue(log.records().size() >= recordsBefore, "the log goes on after a restart: " + log.records().size()
                + " records, " + recordsBefore + " before");
        assertTrue(new AuditLogVerifier().verify(again.audit().file()).verified(), "and still verifies");
        assertNull(c2.policies().policies().stream().filter(p -> p.id().equals("no-vms")).findAny().orElse(null));
    }

    @Test
    void aMigrationToAHostThatIsNotEnrolledIsRefusedBeforeAnythingMoves() throws Exception {
        EngineHost a = start("host-a");
        ManagementClient ca = client(a);
        ca.startVm(VM);
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        HostEvidence evidence = ca.hostEvidence(new EvidenceRequest(Base64.getEncoder().encodeToString(nonce),
                List.of(new EvidenceRequest.PcrSelection("sha256", List.of(0, 7, 15))), true, false));
        ca.putPolicy("p", new PolicyUpload(PolicyJson.write(EvidencePolicies.fromEvidence("p", evidence, nonce,
                List.of(ca.vm(VM)))), null));
        ManagementException e = assertThrows(ManagementException.class,
                () -> ca.startMigration(new StartMigrationRequest(VM, "host-z", "127.0.0.1:9", "p", null)));
        assertEquals(ErrorCode.CONFLICT, e.code());
        assertEquals("host 'host-z' is not enrolled on host-a: enrol it first", e.getMessage());
        assertEquals("RUNNING", ca.vm(VM).state());
        ManagementException twice = assertThrows(ManagementException.class, () -> ca.startVm(VM));
        assertEquals(ErrorCode.CONFLICT, twice.code());
    }
}
