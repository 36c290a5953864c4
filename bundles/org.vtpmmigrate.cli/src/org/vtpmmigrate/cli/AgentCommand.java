package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.HostInfo;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PeerSummary;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.StartMigrationRequest;
import org.vtpmmigrate.management.VmDetails;
import org.vtpmmigrate.management.VmSummary;

/**
 * The commands that act on one agent through its management API (mutual TLS). Each is an instance
 * with its own words and arguments; the agent's refusals come back with the agent's reason, exit 1.
 */
final class AgentCommand implements Command {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration MIGRATION_TIMEOUT = Duration.ofMinutes(30);

    /** What one agent command does with its arguments and the agent's client. */
    private interface Action {
        ExitCode run(Arguments a, ManagementClient agent, PrintStream out) throws UsageException, ManagementException,
                IOException, InterruptedException;
    }

    private final String name;
    private final String synopsis;
    private final String summary;
    private final Set<String> options;
    private final Action action;

    private AgentCommand(String name, String synopsis, String summary, Set<String> options, Action action) {
        this.name = name;
        this.synopsis = synopsis;
        this.summary = summary;
        this.options = options;
        this.action = action;
    }

    static List<Command> all() {
        return List.of(
                new AgentCommand("agent info", "", "the agent's host, platform TPM, enrolled peers and VMs", Set.of(),
                        AgentCommand::info),
                new AgentCommand("vm start", "VM", "start a VM defined on the agent (launch measured first)", Set.of(),
                        (a, agent, out) -> vm(agent.startVm(a.onePositional("VM id")), out)),
                new AgentCommand("vm stop", "VM", "stop a VM running on the agent (its vTPM state stays)", Set.of(),
                        (a, agent, out) -> vm(agent.stopVm(a.onePositional("VM id")), out)),
                new AgentCommand("peer enrol", "HOST:PORT", "enrol the agent at a protocol address (EK chain, AK proof)",
                        Set.of(), AgentCommand::enrol),
                new AgentCommand("policy put", "ID FILE", "store a policy (JSON) on the agent", Set.of(),
                        AgentCommand::putPolicy),
                new AgentCommand("migrate", "VM --to HOST_ID --policy ID [--to-address HOST:PORT]",
                        "migrate a VM to an enrolled host and follow it to the end", Set.of("--to", "--policy",
                                "--to-address"), AgentCommand::migrate));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String synopsis() {
        return (synopsis.isEmpty() ? "" : synopsis + " ") + AgentConnection.SYNOPSIS;
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Set<String> valued = new HashSet<>(options);
        valued.addAll(AgentConnection.OPTIONS);
        Arguments a = Arguments.parse(args, valued, Set.of());
        ManagementClient agent = AgentConnection.open(a);
        try {
            return action.run(a, agent, out);
        } catch (ManagementException e) {
            System.err.println("vtpm-migrate " + name + ": " + e.code().wireName() + ": " + e.getMessage());
            return ExitCode.REFUSED;
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.REFUSED;
        }
    }

    private static ExitCode info(Arguments a, ManagementClient agent, PrintStream out) throws ManagementException {
        HostInfo info = agent.hostInfo();
        out.println("host id        " + info.hostId());
        out.println("tpm connector  " + info.tpmConnector());
        out.println("tpm            " + info.tpmDescription());
        out.println("enrolment      " + info.enrolment().state() + (info.enrolment().akName() == null ? ""
                : ", AK " + info.enrolment().akName()));
        for (PeerSummary p : agent.peers().peers()) {
            out.println("peer           " + p.hostId() + " at " + p.address() + ", AK " + p.akName() + ", enrolled "
                    + p.enrolledAt());
        }
        for (VmSummary vm : agent.vms().vms()) {
            out.println("vm             " + vm.id() + " " + vm.state());
        }
        return ExitCode.OK;
    }

    private static ExitCode vm(VmDetails vm, PrintStream out) {
        out.println(vm.id() + " " + vm.state() + " (" + (vm.memoryBytes() >> 20) + " MiB, vTPM epoch " + vm.vtpmEpoch()
                + ")");
        return ExitCode.OK;
    }

    private static ExitCode enrol(Arguments a, ManagementClient agent, PrintStream out) throws UsageException,
            ManagementException {
        PeerSummary p = agent.enrolPeer(new EnrolPeerRequest(a.onePositional("peer address HOST:PORT")));
        out.println("enrolled " + p.hostId() + " at " + p.address() + ": EK certificate issued by "
                + p.ekCertificateIssuer() + ", AK " + p.akName() + " proven by credential activation");
        return ExitCode.OK;
    }

    private static ExitCode putPolicy(Arguments a, ManagementClient agent, PrintStream out) throws UsageException,
            ManagementException, IOException {
        if (a.positional().size() != 2) {
            throw new UsageException("expected a policy id and a file");
        }
        Path file = Arguments.readableFile(a.positional().get(1));
        PolicySummary stored = agent.putPolicy(a.positional().get(0),
                new PolicyUpload(Files.readString(file, StandardCharsets.UTF_8), null));
        out.println("policy " + stored.id() + " stored, digest " + stored.digest());
        return ExitCode.OK;
    }

    private static ExitCode migrate(Arguments a, ManagementClient agent, PrintStream out) throws UsageException,
            ManagementException, InterruptedException {
        String id = agent.startMigration(new StartMigrationRequest(a.onePositional("VM id"), a.requiredOption("--to"),
                a.option("--to-address", null), a.requiredOption("--policy"), null)).migrationId();
        out.println("migration " + id + " started");
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        String shown = "";
        while (System.nanoTime() < deadline) {
            MigrationStatus s = agent.migration(id);
            String now = s.phase() + ", " + (s.bytesTransferred() >> 20) + " MiB, " + s.precopyRounds() + " rounds";
            if (!now.equals(shown)) {
                out.println("  " + s.elapsedMs() + " ms: " + now);
                shown = now;
            }
            if (s.finished()) {
                s.verdicts().forEach(v -> {
                    out.println("  verdict " + v.party().toLowerCase(java.util.Locale.ROOT) + ": " + v.status());
                    v.reasons().forEach(r -> out.println("      " + r.check() + ": " + r.detail()));
                });
                out.println(s.result().outcome() + ": " + s.result().message());
                return "COMMITTED".equals(s.result().outcome()) ? ExitCode.OK : ExitCode.REFUSED;
            }
            Thread.sleep(POLL.toMillis());
        }
        out.println("migration " + id + " has not ended after " + MIGRATION_TIMEOUT.toMinutes() + " min; it goes on");
        return ExitCode.REFUSED;
    }
}
