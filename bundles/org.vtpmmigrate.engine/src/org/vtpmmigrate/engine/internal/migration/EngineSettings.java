package org.vtpmmigrate.engine.internal.migration;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.hypervisor.MigrationSettings;
import org.vtpmmigrate.protocol.Timeouts;

/**
 * What an engine needs besides its platform TPM, vTPM store and policies. Build with
 * {@link #builder(String, Path)}; every value has a default except the host id and the work
 * directory.
 *
 * @param hostId this host's id (sent in connection prefaces and enrolment)
 * @param bindAddress where the peer port listens
 * @param peerPort the peer port; 0 picks a free one
 * @param workDirectory QEMU run directories go in {@code run/} below it (keep it short: unix socket
 *     paths are limited to 107 bytes)
 * @param trustedEkCas CA certificates a peer's EK certificate must chain to; none means this host
 *     cannot enrol peers
 * @param intermediateEkCas CA certificates that may link an EK certificate to a trusted one
 * @param platform platform TPM settings (EK and AK types, launch PCR, event log file)
 * @param timeouts the protocol's deadlines
 * @param vmTimeout each QEMU or swtpm operation (launch, load, stop, stream completion)
 * @param connectTimeout connecting to a peer
 * @param enrolmentTimeout each read of an enrolment exchange (includes the peer's TPM work)
 * @param qemuMigration how QEMU migrates out (bandwidth, downtime limit)
 * @param maxIncomingConnections concurrent peer connections accepted
 * @param faults fault injection for the attack suite; {@link FaultInjection#NONE} in production
 */
public record EngineSettings(String hostId, InetAddress bindAddress, int peerPort, Path workDirectory,
        List<X509Certificate> trustedEkCas, List<X509Certificate> intermediateEkCas, HostPlatform.Settings platform,
        Timeouts timeouts, Duration vmTimeout, Duration connectTimeout, Duration enrolmentTimeout,
        MigrationSettings qemuMigration, int maxIncomingConnections, FaultInjection faults) {

    public EngineSettings {
        PeerWire.requireHostId(hostId);
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (peerPort < 0 || peerPort > 65535) {
            throw new IllegalArgumentException("peer port " + peerPort + " outside 0..65535");
        }
        Objects.requireNonNull(workDirectory, "workDirectory");
        trustedEkCas = List.copyOf(trustedEkCas);
        intermediateEkCas = List.copyOf(intermediateEkCas);
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(timeouts, "timeouts");
        positive("vmTimeout", vmTimeout);
        positive("connectTimeout", connectTimeout);
        positive("enrolmentTimeout", enrolmentTimeout);
        Objects.requireNonNull(qemuMigration, "qemuMigration");
        if (maxIncomingConnections < 1 || maxIncomingConnections > 1024) {
            throw new IllegalArgumentException("maxIncomingConnections " + maxIncomingConnections + " outside 1..1024");
        }
        Objects.requireNonNull(faults, "faults");
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " " + d + " must be positive and at most ~24 days");
        }
    }

    public static Builder builder(String hostId, Path workDirectory) {
        return new Builder(hostId, workDirectory);
    }

    /** Collects settings; defaults: loopback, free port, protocol default timeouts, 60 s VM operations. */
    public static final class Builder {
        private final String hostId;
        private final Path workDirectory;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int peerPort;
        private final List<X509Certificate> trusted = new ArrayList<>();
        private final List<X509Certificate> intermediates = new ArrayList<>();
        private HostPlatform.Settings platform = HostPlatform.Settings.defaults();
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Duration vmTimeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration enrolmentTimeout = Duration.ofSeconds(30);
        private MigrationSettings qemuMigration = MigrationSettings.defaults();
        private int maxIncomingConnections = 16;
        private FaultInjection faults = FaultInjection.NONE;

        private Builder(String hostId, Path workDirectory) {
            this.hostId = hostId;
            this.workDirectory = workDirectory;
        }

        public Builder bind(InetAddress address, int port) {
            this.bindAddress = address;
            this.peerPort = port;
            return this;
        }

        public Builder trustEkCas(List<X509Certificate> roots, List<X509Certificate> linking) {
            trusted.addAll(roots);
            intermediates.addAll(linking);
            return this;
        }

        public Builder platform(HostPlatform.Settings value) {
            this.platform = value;
            return this;
        }

        public Builder timeouts(Timeouts value) {
            this.timeouts = value;
            return this;
        }

        public Builder vmTimeout(Duration value) {
            this.vmTimeout = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder enrolmentTimeout(Duration value) {
            this.enrolmentTimeout = value;
            return this;
        }

        public Builder qemuMigration(MigrationSettings value) {
            this.qemuMigration = value;
            return this;
        }

        public Builder maxIncomingConnections(int value) {
            this.maxIncomingConnections = value;
            return this;
        }

        public Builder faults(FaultInjection value) {
            this.faults = value;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(hostId, bindAddress, peerPort, workDirectory, trusted, intermediates, platform,
                    timeouts, vmTimeout, connectTimeout, enrolmentTimeout, qemuMigration, maxIncomingConnections,
                    faults);
        }
    }
}
