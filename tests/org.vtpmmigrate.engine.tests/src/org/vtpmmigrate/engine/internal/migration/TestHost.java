package org.vtpmmigrate.engine.internal.migration;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * One test host in this JVM: a real swtpm as platform TPM (SHA-256 bank), a vTPM store and a work
 * directory of its own, a policy catalog and an engine listening on a free loopback port.
 */
public final class TestHost implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    public final String hostId;
    public final SwtpmProcess platformTpm;
    public final VtpmStore store;
    public final PolicyCatalog policies;
    public final TestFaults faults;
    public final DefaultMigrationEngine engine;

    private TestHost(String hostId, SwtpmProcess platformTpm, VtpmStore store, DefaultMigrationEngine engine,
            PolicyCatalog policies, TestFaults faults) {
        this.hostId = hostId;
        this.platformTpm = platformTpm;
        this.store = store;
        this.engine = engine;
        this.policies = policies;
        this.faults = faults;
    }

    /** A fresh platform TPM for a host. */
    public static SwtpmProcess platformTpm() {
        return SwtpmProcess.builder().pcrBanks("sha256").start();
    }

    /**
     * Starts a host under {@code directory} on {@code tpm} (which it closes when closed).
     *
     * @param trusted the swtpms whose EK certificates this host accepts from peers
     * @param settings adjusts the engine settings (timeouts, say) before the engine starts
     */
    public static TestHost start(String hostId, Path directory, SwtpmProcess tpm, List<SwtpmProcess> trusted,
            Consumer<EngineSettings.Builder> settings) throws IOException, HypervisorException, PlatformException {
        try {
            VtpmStore store = VtpmStore.open(directory.resolve("vtpms"));
            TestFaults faults = new TestFaults();
            EngineSettings.Builder builder = EngineSettings.builder(hostId, directory.resolve("work"))
                    .vmTimeout(TIMEOUT).faults(faults);
            for (SwtpmProcess peer : trusted) {
                List<X509Certificate> ca = localCa(peer);
                builder.trustEkCas(List.of(ca.get(0)), ca.subList(1, ca.size()));
            }
            settings.accept(builder);
            PolicyCatalog policies = new PolicyCatalog();
            DefaultMigrationEngine engine = DefaultMigrationEngine.start(builder.build(),
                    TpmConnector.of(TpmEndpoint.parse(tpm.endpointSpec())), store, policies);
            return new TestHost(hostId, tpm, store, engine, policies, faults);
        } catch (IOException | HypervisorException | PlatformException | RuntimeException e) {
            tpm.close();
            throw e;
        }
    }

    /** A swtpm's private local CA: its root first, then the EK certificate issuer. */
    public static List<X509Certificate> localCa(SwtpmProcess tpm) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Path file : tpm.localCaCertificateFiles()) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(Files.readAllBytes(file))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException("swtpm's local CA certificates do not parse", e);
        }
        return certificates;
    }

    /** A small TCG guest: SeaBIOS, no disk, {@code memoryMiB} of anonymous RAM. */
    public static VmConfig vm(String vmId, long memoryMiB) {
        return VmConfig.builder().name(vmId).memoryMiB(memoryMiB).accelerator(VmConfig.Accelerator.TCG).build();
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            platformTpm.close();
        }
    }

    @Override
    public String toString() {
        return "host " + hostId;
    }
}
