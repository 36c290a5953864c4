package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.vtpmmigrate.engine.internal.migration.DefaultMigrationEngine;
import org.vtpmmigrate.engine.internal.migration.EngineSettings;
import org.vtpmmigrate.engine.internal.migration.FaultInjection;
import org.vtpmmigrate.engine.internal.migration.PolicyCatalog;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;
import org.vtpmmigrate.hypervisor.VtpmStore;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * One benchmark host in this process: an swtpm as its platform TPM (manufactured in a store of its own,
 * with EK certificates from that store's local CA), a vTPM store for its VMs, a policy catalog and
 * an engine on a free 127.0.0.1 peer port. Closing stops the engine, then the platform TPM.
 */
final class BenchHost implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A manufactured, running platform TPM and the CA its EK certificate chains to. */
    static final class PlatformTpm implements AutoCloseable {
        final VtpmProcess process;
        final List<X509Certificate> ekCa;

        private PlatformTpm(VtpmProcess process, List<X509Certificate> ekCa) {
            this.process = process;
            this.ekCa = ekCa;
        }

        /** Manufactures the platform TPM under {@code directory} and starts it on TCP ports. */
        static PlatformTpm start(Path directory) throws HypervisorException, IOException {
            VtpmStore store = VtpmStore.open(directory);
            VtpmInstance instance = store.create("platform", TIMEOUT);
            List<X509Certificate> ca = readCertificates(store.caCertificates());
            VtpmProcess process = instance.startStandalone(TIMEOUT);
            return new PlatformTpm(process, ca);
        }

        @Override
        public void close() {
            process.close();
        }
    }

    final String hostId;
    final PlatformTpm platformTpm;
    final VtpmStore vtpms;
    final PolicyCatalog policies;
    final DefaultMigrationEngine engine;

    private BenchHost(String hostId, PlatformTpm platformTpm, VtpmStore vtpms, PolicyCatalog policies,
            DefaultMigrationEngine engine) {
        this.hostId = hostId;
        this.platformTpm = platformTpm;
        this.vtpms = vtpms;
        this.policies = policies;
        this.engine = engine;
    }

    /**
     * Starts the engine of {@code hostId} on {@code platformTpm}, trusting EK certificates from the
     * peers' CAs. The host owns {@code platformTpm} from here on, and stops it even if starting fails.
     */
    static BenchHost start(String hostId, Path directory, PlatformTpm platformTpm, List<PlatformTpm> trustedPeers,
            FaultInjection faults) throws IOException, HypervisorException, PlatformException {
        try {
            VtpmStore vtpms = VtpmStore.open(directory.resolve("vtpms"));
            EngineSettings.Builder settings = EngineSettings.builder(hostId, directory.resolve("work"))
                    .vmTimeout(TIMEOUT).faults(faults);
            for (PlatformTpm peer : trustedPeers) {
                // root first, then the certificates linking EK certificates to it
                settings.trustEkCas(peer.ekCa.subList(0, 1), peer.ekCa.subList(1, peer.ekCa.size()));
            }
            PolicyCatalog policies = new PolicyCatalog();
            TpmConnector connector = TpmConnector.of(TpmEndpoint.swtpm("127.0.0.1", platformTpm.process.dataPort()));
            DefaultMigrationEngine engine = DefaultMigrationEngine.start(settings.build(), connector, vtpms, policies);
            return new BenchHost(hostId, platformTpm, vtpms, policies, engine);
        } catch (IOException | HypervisorException | PlatformException | RuntimeException e) {
            platformTpm.close();
            throw e;
        }
    }

    private static List<X509Certificate> readCertificates(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            throw new IOException("the platform TPM's store has no local CA certificates");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    certificates.add((X509Certificate) factory.generateCertificate(in));
                } catch (CertificateException e) {
                    throw new IOException("local CA certificate " + file + " does not parse: " + e.getMessage(), e);
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        return certificates;
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
        return hostId;
    }
}
