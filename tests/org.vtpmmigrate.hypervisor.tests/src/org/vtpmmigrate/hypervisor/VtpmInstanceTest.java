package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** vTPM instances on real swtpm processes, read and written with tpm2-tools. */
class VtpmInstanceTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @RegisterExtension
    final StartedResources started = new StartedResources();

    @Test
    void markerWrittenStandaloneSurvivesAVmRunAndIsReadBackAfterwards() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-a", TIMEOUT);
        byte[] marker = "marker-before-vm".getBytes(StandardCharsets.US_ASCII);

        VtpmProcess standalone = started.track(instance.startStandalone(TIMEOUT));
        new Tpm2Tools(standalone, temp).writeMarker(marker);
        standalone.stop(TIMEOUT);
        assertFalse(standalone.isAlive(), "standalone swtpm still running after stop");

        VtpmProcess forQemu = instance.startForQemu(TIMEOUT);
        VirtualMachine vm = started.track(VirtualMachine.launch(VmConfig.builder().name("vm-a")
                .accelerator(VmConfig.Accelerator.TCG).build(), temp.resolve("run-a"), forQemu, TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        vm.stop(TIMEOUT);
        assertFalse(vm.isAlive(), "QEMU still running after stop");
        assertTrue(forQemu.awaitExit(TIMEOUT), "the VM's vTPM was not stopped with the VM");

        VtpmProcess again = started.track(instance.startStandalone(TIMEOUT));
        assertArrayEquals(marker, new Tpm2Tools(again, temp).readMarker(marker.length));
    }

    @Test
    void manufacturedInstanceHasEkCertificatesSignedByTheStoreCa() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-certs", TIMEOUT);

        List<Path> certificates = instance.ekCertificates();
        assertEquals(2, certificates.size(), "expected an RSA and an ECC EK certificate, got " + certificates);
        List<Path> ca = store.caCertificates();
        assertEquals(2, ca.size(), "expected root and issuer certificates, got " + ca);
        X509Certificate issuer = readCertificate(ca.get(1));
        for (Path file : certificates) {
            X509Certificate ek = readCertificate(file);
            assertEquals(issuer.getSubjectX500Principal(), ek.getIssuerX500Principal(), file.toString());
            ek.verify(issuer.getPublicKey()); // throws when the signature does not match
        }
        readCertificate(ca.get(0)).verify(readCertificate(ca.get(0)).getPublicKey());
        issuer.verify(readCertificate(ca.get(0)).getPublicKey());
        assertTrue(Files.size(instance.stateDirectory().resolve("tpm2-00.permall")) > 0, "no permanent state");
    }

    private static X509Certificate readCertificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void aSecondSwtpmOnTheSameInstanceIsRefused() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-once", TIMEOUT);
        VtpmProcess first = started.track(instance.startStandalone(TIMEOUT));

        HypervisorException refused = assertThrows(HypervisorException.class, () -> instance.startForQemu(TIMEOUT));
        assertTrue(refused.getMessage().contains("already has a running swtpm"), refused.getMessage());
        assertTrue(first.isAlive(), "the first swtpm must keep running");
        assertEquals(instance.runningProcess().orElseThrow().pid(), first.pid());
    }

    @Test
    void aVmRefusesAStandaloneVtpm() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-wrong", TIMEOUT);
        VtpmProcess standalone = started.track(instance.startStandalone(TIMEOUT));

        HypervisorException refused = assertThrows(HypervisorException.class, () -> VirtualMachine.launch(
                VmConfig.builder().accelerator(VmConfig.Accelerator.TCG).build(), temp.resolve("run"),
                standalone, TIMEOUT));
        assertTrue(refused.getMessage().contains("started for QEMU"), refused.getMessage());
    }

    @Test
    void epochsAdvanceAndAStaleIncomingStateIsRefused() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-epoch", TIMEOUT);
        assertEquals(new MigrationEpoch("vm-epoch", 0), instance.epoch());
        assertEquals(new MigrationEpoch("vm-epoch", 1), instance.advanceEpoch());
        assertEquals(new MigrationEpoch("vm-epoch", 2), instance.advanceEpoch());
        assertEquals(OptionalLong.of(2), store.highestEpochSeen("vm-epoch"));

        store.secureDelete(instance);
        assertFalse(Files.exists(temp.resolve("store/instances/vm-epoch")), "instance directory left behind");
        assertEquals(OptionalLong.of(2), store.highestEpochSeen("vm-epoch"), "retired epoch forgotten");

        StaleEpochException replay = assertThrows(StaleEpochException.class,
                () -> store.createIncoming(new MigrationEpoch("vm-epoch", 2)));
        assertEquals(2, replay.highestSeen());
        assertThrows(StaleEpochException.class, () -> store.createIncoming(new MigrationEpoch("vm-epoch", 1)));
        HypervisorException reused = assertThrows(HypervisorException.class, () -> store.create("vm-epoch", TIMEOUT));
        assertTrue(reused.getMessage().contains("retired"), reused.getMessage());

        VtpmInstance back = store.createIncoming(new MigrationEpoch("vm-epoch", 3));
        assertEquals(3, back.epoch().epoch());
        assertEquals(List.of("vm-epoch"), store.instanceIds());
        assertThrows(HypervisorException.class, () -> store.createIncoming(new MigrationEpoch("vm-epoch", 4)),
                "an instance already present must not be overwritten by an incoming one");
    }

    @Test
    void aRunningInstanceIsNotDeleted() throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("store"));
        VtpmInstance instance = store.create("vm-busy", TIMEOUT);
        started.track(instance.startStandalone(TIMEOUT));

        HypervisorException refused = assertThrows(HypervisorException.class, () -> store.secureDelete(instance));
        assertTrue(refused.getMessage().contains("is running"), refused.getMessage());
        assertTrue(Files.exists(instance.stateDirectory().resolve("tpm2-00.permall")), "state deleted anyway");
    }
}
