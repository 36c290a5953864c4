package org.vtpmmigrate.console.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.console.model.AgentPolicies;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.ConsoleSettings;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.management.AdministratorCa;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.IssuedCredentials;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementServer;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.ServerSettings;
import org.vtpmmigrate.management.StartMigrationRequest;
import org.vtpmmigrate.management.Validity;

/**
 * The hosts the console tests talk to, all on 127.0.0.1:
 * <ul>
 * <li>{@code alpha} and {@code bravo}: clean hosts (real swtpm, corpus boot and IMA logs);</li>
 * <li>{@code charlie}: a tampered host (a boot measurement its log hides, an IMA entry no clean host has),
 * whose attestation log also has one record altered after signing;</li>
 * <li>{@code delta}: listed in the inventory, nothing listens there (unreachable);</li>
 * <li>{@code echo}: answers with a certificate of another CA (its identity is refused).</li>
 * </ul>
 * Every agent runs a real {@link ManagementServer} (mutual TLS with certificates of a fresh
 * {@link AdministratorCa}) in front of a {@link FixtureAgent}. Policy {@value #BASELINE} is made from
 * alpha's evidence and stored on every agent; two migrations are run before the tests (one committed,
 * one refused) so the attestation logs hold history. The integrator will replace this fixture with
 * local demo hosts running the real engine.
 */
final class FixtureNetwork implements AutoCloseable {
    static final String BASELINE = "lab-baseline";
    static final String ALPHA = "alpha";
    static final String BRAVO = "bravo";
    static final String CHARLIE = "charlie";
    static final String DELTA = "delta";
    static final String ECHO = "echo";
    static final String SEED_COMMITTED_VM = "vm-seed";
    static final String SEED_REFUSED_VM = "vm-old";

    final Path directory;
    final Path caCertificate;
    final Path consoleCertificate;
    final Path consoleKey;
    final Path inventory;
    final Path ekCaBundle;
    final Path keylimePolicy;
    private final Map<String, FixtureAgent> agents = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final List<ManagementServer> servers = new ArrayList<>();
    private final List<FixtureHost> hosts = new ArrayList<>();
    private Policy baseline;

    private FixtureNetwork() throws IOException {
        directory = Files.createTempDirectory("vtpm-console-fixture-");
        caCertificate = directory.resolve("administrator-ca.pem");
        consoleCertificate = directory.resolve("console.pem");
        consoleKey = directory.resolve("console.key");
        inventory = directory.resolve("inventory.txt");
        ekCaBundle = directory.resolve("tpm-cas.pem");
        keylimePolicy = org.vtpmmigrate.testsupport.TestData.resolve("policies/keylime/runtime/runtime-policy-test.json");
    }

    private void init() throws IOException, PkiException {
        Instant now = Instant.now();
        AdministratorCa ca = AdministratorCa.create("vTPM Migrate test CA", new Validity(now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30))));
        ca.write(caCertificate, directory.resolve("administrator-ca.key"), null);
        IssuedCredentials console = ca.issueAdministrator("console-admin", Validity.fromNow(Duration.ofDays(7)));
        console.write(consoleCertificate, consoleKey, null);

        start(ca, ALPHA, FixtureHost.Variant.CLEAN);
        start(ca, BRAVO, FixtureHost.Variant.CLEAN);
        start(ca, CHARLIE, FixtureHost.Variant.TAMPERED);
        agents.get(ALPHA).addVm("vm-web", "web frontend", "RUNNING");
        agents.get(ALPHA).addVm("vm-db", "database", "PAUSED");
        agents.get(ALPHA).addVm(SEED_REFUSED_VM, "retired build server", "RUNNING");
        agents.get(BRAVO).addVm("vm-batch", "batch jobs", "RUNNING");
        agents.get(BRAVO).addVm(SEED_COMMITTED_VM, "seed workload", "RUNNING");
        agents.get(CHARLIE).addVm("vm-legacy", "legacy app", "RUNNING");

        AdministratorCa other = AdministratorCa.create("Some other CA", Validity.fromNow(Duration.ofDays(30)));
        ManagementServer echo = ManagementServer.start(ServerSettings.defaults(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0)), other.issueAgent(ECHO, List.of("localhost"), List.of("127.0.0.1"),
                        Validity.fromNow(Duration.ofDays(7))).toTlsCredentials(), caller -> agents.get(ALPHA));
        servers.add(echo);
        addresses.put(ECHO, echo.address());
        addresses.put(DELTA, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort()));

        StringBuilder lines = new StringBuilder("# test hosts of the console UI tests\n");
        addresses.forEach((id, a) -> lines.append(id).append(' ').append("127.0.0.1:").append(a.getPort()).append('\n'));
        Files.writeString(inventory, lines.toString(), StandardCharsets.UTF_8);
        StringBuilder pem = new StringBuilder();
        for (FixtureHost h : hosts) {
            for (Path f : h.localCaFiles()) {
                pem.append(Files.readString(f, StandardCharsets.US_ASCII)).append('\n');
            }
        }
        Files.writeString(ekCaBundle, pem.toString(), StandardCharsets.US_ASCII);
        storeBaseline();
        seedHistory();
    }

    /** Starts everything; closes what was started if any part fails. */
    static FixtureNetwork start() {
        FixtureNetwork network;
        try {
            network = new FixtureNetwork();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            network.init();
            return network;
        } catch (IOException | PkiException | RuntimeException e) {
            network.close();
            throw new IllegalStateException("test hosts did not start: " + e.getMessage(), e);
        }
    }

    private void start(AdministratorCa ca, String hostId, FixtureHost.Variant variant) throws IOException,
            PkiException {
        FixtureHost host = FixtureHost.start(hostId, variant, directory);
        hosts.add(host);
        FixtureAgent agent = new FixtureAgent(host, this);
        agents.put(hostId, agent);
        ManagementServer server = ManagementServer.start(ServerSettings.defaults(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0)), ca.issueAgent(hostId, List.of("localhost"), List.of("127.0.0.1"),
                        Validity.fromNow(Duration.ofDays(7))).toTlsCredentials(), caller -> agent);
        servers.add(server);
        addresses.put(hostId, server.address());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A policy made from alpha's evidence now, stored on every agent under {@value #BASELINE}. */
    private void storeBaseline() {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        List<EvidenceRequest.PcrSelection> selection = List.of(new EvidenceRequest.PcrSelection("sha256",
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14)));
        HostEvidence evidence = agents.get(ALPHA).host.quote(nonce, selection, true, true);
        EvidenceReport report = EvidenceReport.analyse(ALPHA, evidence, nonce, null, true, Instant.now());
        try {
            baseline = AgentPolicies.fromEvidence(report, BASELINE).policy();
        } catch (EvidenceRejectedException e) {
            throw new IllegalStateException("alpha's evidence does not verify: " + e.getMessage()
                    + e.verdict().map(v -> "\n" + v.toText()).orElse(""), e);
        }
        String text = PolicyJson.write(baseline);
        for (FixtureAgent a : agents.values()) {
            try {
                a.putPolicy(BASELINE, new PolicyUpload(text, null));
            } catch (ManagementException e) {
                throw new IllegalStateException("baseline not stored on " + a.hostId() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Runs one committed and one refused migration, so the logs have history before any test. */
    private void seedHistory() {
        MigrationStatus committed = runToEnd(BRAVO, SEED_COMMITTED_VM, ALPHA);
        if (!"COMMITTED".equals(committed.result().outcome())) {
            throw new IllegalStateException("seed migration bravo -> alpha did not commit: " + committed.result());
        }
        MigrationStatus refused = runToEnd(ALPHA, SEED_REFUSED_VM, CHARLIE);
        if (!"FAILED".equals(refused.result().outcome())) {
            throw new IllegalStateException("seed migration alpha -> charlie was not refused: " + refused.result());
        }
        // charlie's log on disk is altered afterwards: its verdict record no longer matches its signature
        agents.get(CHARLIE).host.auditLines().stream().filter(e -> e.getKey().event().verdict().isPresent())
                .findFirst().ifPresent(e -> agents.get(CHARLIE).tamperWithRecord(e.getKey().sequence()));
    }

    /** Starts a migration directly on the source agent and reads its status until it ends. */
    MigrationStatus runToEnd(String sourceId, String vmId, String destinationId) {
        FixtureAgent source = agents.get(sourceId);
        try {
            String digest = source.policy(BASELINE).digest();
            String id = source.startMigration(new StartMigrationRequest(vmId, destinationId, null, BASELINE, digest))
                    .migrationId();
            for (int i = 0; i < 20; i++) {
                MigrationStatus s = source.migration(id);
                if (s.finished()) {
                    return s;
                }
            }
            throw new IllegalStateException("migration " + id + " did not end in 20 steps");
        } catch (ManagementException e) {
            throw new IllegalStateException("migration of " + vmId + " not run: " + e.getMessage(), e);
        }
    }

    java.util.Collection<FixtureAgent> agents() {
        return agents.values();
    }

    Optional<FixtureAgent> agent(String hostId) {
        return Optional.ofNullable(agents.get(hostId));
    }

    Policy baseline() {
        return baseline;
    }

    /** The console settings that reach these hosts. */
    ConsoleSettings settings(ConsoleModel model) {
        return model.settings().withTrust(Optional.of(caCertificate), List.of(ekCaBundle))
                .withIdentity(Optional.of(consoleCertificate), Optional.of(consoleKey))
                .withHosts(Optional.of(inventory), false).withAddedHosts(List.of())
                // the tests contact hosts when they mean to: a periodic refresh would change states under them
                .withRefreshSeconds(0);
    }

    int port(String hostId) {
        return addresses.get(hostId).getPort();
    }

    @Override
    public void close() {
        servers.forEach(ManagementServer::close);
        hosts.forEach(FixtureHost::close);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing the run
        }
    }
}
