package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.tpm2.EkCertificateInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.engine.migration.VmStatus;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.MigrationEpoch;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.AdmissionDecision;
import org.vtpmmigrate.protocol.CipherSuite;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.MigrationRequest;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * The destination's admission of requests, on a real vTPM store: every refusal names what was
 * wrong, and an admitted request reserves the VM.
 */
class HostAdmissionTest {
    private static final String VM = "vm-admitted";

    @TempDir
    Path temp;
    private SwtpmProcess swtpm;
    private HostPlatform platform;
    private VtpmStore store;
    private VmManager vms;
    private final PeerRegistry peers = new PeerRegistry();
    private final PolicyCatalog policies = new PolicyCatalog();
    private final HostAdmission.SeenIds seen = new HostAdmission.SeenIds();
    private final List<HostAdmission.Decision> decisions = new ArrayList<>();
    private ReferencePcrPolicy policy;

    @BeforeEach
    void start() throws Exception {
        swtpm = SwtpmProcess.builder().pcrBanks("sha256").start();
        platform = HostPlatform.open(TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec())),
                HostPlatform.Settings.defaults());
        store = VtpmStore.open(temp.resolve("vtpms"));
        vms = new VmManager(store, platform, temp.resolve("run"), Duration.ofSeconds(30), Duration.ofSeconds(30));
        VmConfig config = TestHost.vm(VM, 64);
        vms.define(config);
        policy = ReferencePcrPolicy.fromHost("p", platform).allowVm(LaunchMeasurement.of(config)).build();
        policies.put(policy);
        EkCertificateInfo ek = new EkCertificateInfo(List.of(EkCertificateValidator.parseCertificate(
                platform.ekCertificate().orElseThrow())), Optional.empty(), Optional.empty(), Optional.empty());
        peers.put(new PeerRegistry.Peer("host-s", new PeerAddress("127.0.0.1", 7710),
                TpmPublic.parseTpm2b(platform.attestationKeyPublic().tpm2bPublic()),
                TpmPublic.parseTpm2b(platform.ekPublic().tpm2bPublic()), ek, Instant.now()));
    }

    @AfterEach
    void stop() {
        vms.close();
        platform.close();
        swtpm.close();
    }

    private AdmissionDecision admit(String source, String vmId, String policyId, Bytes digest, long epoch,
            Bytes migrationId) {
        HostAdmission admission = new HostAdmission(source, peers, policies, vms, store, platform.launchPcr(), seen,
                v -> { }, decisions::add);
        return admission.admit(new MigrationRequest(migrationId, vmId, policyId, digest, epoch,
                List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM.id())));
    }

    private AdmissionDecision admit(String source, String vmId, String policyId, Bytes digest, long epoch) {
        return admit(source, vmId, policyId, digest, epoch, id());
    }

    private static Bytes id() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return Bytes.of(b);
    }

    private static void assertRefused(AdmissionDecision decision, String why) {
        assertTrue(!decision.accepted() && decision.refusal().orElseThrow().contains(why),
                "expected a refusal naming '" + why + "': " + decision.refusal());
    }

    @Test
    void aValidRequestIsAdmittedOnceAndReservesTheVm() {
        Bytes id = id();
        AdmissionDecision decision = admit("host-s", VM, "p", policy.digest(), 1, id);
        assertTrue(decision.accepted(), () -> decision.refusal().orElse(""));
        assertEquals(policy.selection(), decision.sourceSelection());
        assertEquals(VmStatus.State.INCOMING, vms.status(VM).orElseThrow().state());
        assertEquals(1, decisions.size());

        assertRefused(admit("host-s", VM, "p", policy.digest(), 1, id), "was seen here before: a replayed request");
        assertRefused(admit("host-s", VM, "p", policy.digest(), 2), "is incoming here");
    }

    @Test
    void requestsFromStrangersForUnknownThingsAreRefusedNamingWhat() throws Exception {
        assertRefused(admit("host-x", VM, "p", policy.digest(), 1), "source host 'host-x' is not enrolled here");
        assertRefused(admit("host-s", "vm-unknown", "p", policy.digest(), 1), "VM vm-unknown is not defined here");
        assertRefused(admit("host-s", VM, "q", policy.digest(), 1), "policy 'q' is not known here");
        Bytes otherDigest = Bytes.of(new byte[32]);
        assertRefused(admit("host-s", VM, "p", otherDigest, 1), "the request names " + otherDigest.toHex());
        assertEquals(VmStatus.State.DEFINED, vms.status(VM).orElseThrow().state(), "a refusal reserved the VM");
    }

    @Test
    void anEpochNotNewerThanOneSeenHereIsRefusedAsRollbackOrClone() throws Exception {
        // this host held epoch 3 of the vTPM once and handed it on
        store.secureDelete(store.createIncoming(new MigrationEpoch(VM, 3)));
        assertRefused(admit("host-s", VM, "p", policy.digest(), 3), "epoch 3 of VM " + VM
                + " is not newer than epoch 3 seen here");
        assertRefused(admit("host-s", VM, "p", policy.digest(), 2), "a rollback or a clone");
        assertTrue(admit("host-s", VM, "p", policy.digest(), 4).accepted());
    }
}
