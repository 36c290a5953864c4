package org.vtpmmigrate.console.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.Jobs;
import org.vtpmmigrate.engine.internal.AgentSettings;
import org.vtpmmigrate.engine.internal.host.EngineHost;
import org.vtpmmigrate.engine.internal.host.EvidencePolicies;
import org.vtpmmigrate.engine.internal.host.LocalHostKit;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.ManagementClient;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.TlsCredentials;

/**
 * Two engine hosts, {@value #SOURCE} and {@value #DESTINATION}, started in the console's process for
 * a first run: certificates and simulated platform TPMs prepared in a temporary directory, both
 * hosts started, enrolled with each other, {@value #VM_NAME} started on the source, policy
 * {@value #POLICY_ID} made from the source's verified evidence and stored on both, and both hosts listed in the
 * console, which then talks to them over mutual TLS like to any agent. Every step runs in a job and
 * is reported to listeners (on the job's thread); a step that fails stops the hosts again and says
 * what failed and why.
 */
public final class LocalDemoHosts implements AutoCloseable {
    public static final String SOURCE = "host-a";
    public static final String DESTINATION = "host-b";
    public static final String POLICY_ID = "local-demo";
    public static final String VM_NAME = "demo-vm";
    /** The job family of starting and stopping, so tests and shutdown can wait for them. */
    public static final Object JOB_FAMILY = LocalDemoHosts.class;
    /** The boot PCRs the policy pins, with the launch PCR the engine needs for VM launch rules. */
    private static final ClientSettings CLIENT = new ClientSettings(Duration.ofSeconds(10), Duration.ofSeconds(60),
            8 << 20);
    private static final System.Logger LOG = System.getLogger(LocalDemoHosts.class.getName());

    /** The steps of a start, in order. */
    public enum Step {
        PREPARE("Prepare certificates, platform TPMs and " + VM_NAME),
        START_SOURCE("Start " + SOURCE),
        START_DESTINATION("Start " + DESTINATION),
        ENROL("Enrol " + SOURCE + " and " + DESTINATION + " with each other"),
        START_VM("Start " + VM_NAME + " on " + SOURCE),
        MAKE_POLICY("Make policy " + POLICY_ID + " from the evidence of " + SOURCE),
        STORE_POLICY("Store policy " + POLICY_ID + " on both hosts"),
        LIST_HOSTS("Add both hosts to the console and check their evidence");

        private final String title;

        Step(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** Where a step stands. */
    public enum StepState {
        WAITING, RUNNING, DONE, FAILED
    }

    /** Where the hosts stand. */
    public enum State {
        STOPPED, STARTING, RUNNING, FAILED, STOPPING
    }

    /**
     * A snapshot for views.
     *
     * @param failure why the last start failed, or null
     */
    public record Progress(State state, Map<Step, StepState> steps, Failure failure) {
        public Progress {
            Objects.requireNonNull(state, "state");
            steps = Map.copyOf(steps);
        }

        public StepState of(Step step) {
            return steps.get(step);
        }
    }

    /** Receives every change of the progress, on the thread that made it. */
    @FunctionalInterface
    public interface Listener {
        void changed(Progress progress);
    }

    private final ConsoleModel model;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<EngineHost> hosts = new ArrayList<>();
    private final Map<Step, StepState> steps = new EnumMap<>(Step.class);
    private State state = State.STOPPED;
    private Failure failure;
    private Path directory;
    private Thread shutdownHook;

    public LocalDemoHosts(ConsoleModel model) {
        this.model = Objects.requireNonNull(model, "model");
        resetSteps();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    public synchronized Progress progress() {
        return new Progress(state, steps, failure);
    }

    /** Whether a start may begin now: nothing is starting, running or stopping. */
    public synchronized boolean canStart() {
        return state == State.STOPPED || state == State.FAILED;
    }

    public synchronized boolean canStop() {
        return state == State.RUNNING || state == State.FAILED && !hosts.isEmpty();
    }

    /** Starts the hosts in a job; does nothing (and returns null) unless {@link #canStart()}. */
    public Job start() {
        synchronized (this) {
            if (!canStart()) {
                return null;
            }
            state = State.STARTING;
            failure = null;
            resetSteps();
        }
        fire();
        Job job = job("Starting local demo hosts", this::runStart);
        job.schedule();
        return job;
    }

    /** Stops the hosts in a job and takes them off the console's list; null when nothing runs. */
    public Job stop() {
        synchronized (this) {
            if (state != State.RUNNING && state != State.FAILED) {
                return null;
            }
            state = State.STOPPING;
        }
        fire();
        Job job = job("Stopping local demo hosts", monitor -> {
            stopHosts();
            synchronized (this) {
                state = State.STOPPED;
                resetSteps();
            }
        });
        job.schedule();
        return job;
    }

    /** Stops everything now, on the calling thread: when the console closes. */
    @Override
    public void close() {
        Job.getJobManager().cancel(JOB_FAMILY);
        stopHosts();
        synchronized (this) {
            state = State.STOPPED;
        }
    }

    // ------------------------------------------------------------------ the steps

    private void runStart(IProgressMonitor monitor) {
        monitor.beginTask("Starting local demo hosts", Step.values().length);
        Step step = Step.PREPARE;
        try {
            begin(step, monitor);
            Path dir = Files.createTempDirectory("vtpm-local-demo-");
            synchronized (this) {
                directory = dir;
            }
            LocalHostKit kit = LocalHostKit.prepare(dir.resolve("hosts"), List.of(SOURCE, DESTINATION), Map.of(),
                    Map.of());
            VmConfig vm = VmConfig.builder().name(VM_NAME).memoryMiB(64).accelerator(VmConfig.Accelerator.TCG).build();
            kit.defineVm(SOURCE, vm);
            kit.defineVm(DESTINATION, vm);
            TlsCredentials administrator = kit.administrator();

            step = next(step, monitor);
            EngineHost source = startHost(kit, SOURCE);
            step = next(step, monitor);
            EngineHost destination = startHost(kit, DESTINATION);
            ManagementClient toSource = client(source, administrator);
            ManagementClient toDestination = client(destination, administrator);

            step = next(step, monitor);
            toSource.enrolPeer(new EnrolPeerRequest(peerAddress(destination)));
            toDestination.enrolPeer(new EnrolPeerRequest(peerAddress(source)));

            step = next(step, monitor);
            // the VM runs before the policy is made: its launch event is then in the log the policy is made
            // from, so the console's own check of the log accepts the launch event's type too
            toSource.startVm(VM_NAME);

            step = next(step, monitor);
            Policy policy = EvidencePolicies.fromHost(POLICY_ID, toSource, List.of(toSource.vm(VM_NAME)));

            step = next(step, monitor);
            String text = PolicyJson.write(policy);
            toSource.putPolicy(POLICY_ID, new PolicyUpload(text, null));
            toDestination.putPolicy(POLICY_ID, new PolicyUpload(text, null));


            step = next(step, monitor);
            List<Path> ekCas = new ArrayList<>();
            for (LocalHostKit.Host h : kit.hosts()) {
                ekCas.addAll(h.ekCaCertificates());
            }
            model.setActivePolicy(new ConsoleModel.ActivePolicy(policy, "local demo hosts"));
            model.addLocalHosts(List.of(local(source), local(destination)), administrator, ekCas);
            for (String hostId : List.of(SOURCE, DESTINATION)) {
                // the verdict needs the agent's enrolment, which the contact reads first
                model.refresh(hostId).join();
                java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic
                        .AtomicReference<>();
                model.attest(hostId, policy, outcome::set, outcome::set).join();
                if (outcome.get() instanceof Failure f) {
                    fail(step, f);
                    return;
                }
                if (outcome.get() == null) {
                    fail(step, Failure.of(step.title() + " failed", "The evidence of " + hostId + " was not checked:"
                            + " the check did not run (the console is closing?)."));
                    return;
                }
            }
            finish(step);
        } catch (IOException | PkiException | HypervisorException e) {
            fail(step, failure(step, e));
        } catch (EngineHost.StartException e) {
            fail(step, new Failure(step.title() + " failed", e.getMessage(), Failure.stackTrace(e)));
        } catch (ManagementException e) {
            fail(step, Failure.fromManagement(step.title(), step == Step.START_VM || step == Step.MAKE_POLICY
                    ? SOURCE : "a local host", "127.0.0.1", e));
        } catch (EvidenceRejectedException e) {
            fail(step, new Failure(step.title() + " failed", "The evidence of " + SOURCE + " does not verify: "
                    + e.getMessage(), e.verdict().map(v -> v.toText()).orElse(Failure.stackTrace(e))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(step, Failure.of(step.title() + " was interrupted", "The console is closing."));
        } catch (RuntimeException e) {
            fail(step, Failure.unexpected(step.title() + " failed", e));
        } finally {
            monitor.done();
        }
    }

    private static Failure failure(Step step, Exception e) {
        if (e instanceof PkiException p) {
            return Failure.fromPki(step.title() + " failed", p);
        }
        if (e instanceof IOException io) {
            return Failure.fromIo(step.title() + " failed", io);
        }
        return new Failure(step.title() + " failed", e.getMessage() + (e instanceof HypervisorException
                ? " (swtpm and swtpm_setup must be installed)" : ""), Failure.stackTrace(e));
    }

    private EngineHost startHost(LocalHostKit kit, String hostId) throws EngineHost.StartException {
        EngineHost host;
        try {
            host = EngineHost.start(AgentSettings.parse(kit.host(hostId).settings()));
        } catch (AgentSettings.InvalidSettingException e) {
            throw new IllegalStateException("the prepared settings of " + hostId + " do not parse: " + e.getMessage(),
                    e);
        }
        synchronized (this) {
            hosts.add(host);
            if (shutdownHook == null) {
                // hosts run QEMU and swtpm processes: a console killed without closing must not leave them
                shutdownHook = new Thread(this::stopHosts, "vtpm-local-demo-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
        }
        return host;
    }

    private static ManagementClient client(EngineHost host, TlsCredentials credentials) {
        return ManagementClient.create(managementUri(host), credentials, CLIENT);
    }

    private static URI managementUri(EngineHost host) {
        InetSocketAddress address = host.managementAddress().orElseThrow(() -> new IllegalStateException(
                host.hostId() + " started without its management API"));
        return URI.create("https://127.0.0.1:" + address.getPort());
    }

    private static String peerAddress(EngineHost host) {
        return "127.0.0.1:" + host.engine().identity().peerAddress().port();
    }

    private static ConsoleModel.LocalHost local(EngineHost host) {
        return new ConsoleModel.LocalHost(host.hostId(), managementUri(host), peerAddress(host));
    }

    private void stopHosts() {
        List<EngineHost> running;
        Path dir;
        Thread hook;
        synchronized (this) {
            running = new ArrayList<>(hosts);
            hosts.clear();
            dir = directory;
            directory = null;
            hook = shutdownHook;
            shutdownHook = null;
        }
        if (!running.isEmpty()) {
            model.removeLocalHosts();
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs or ran
            }
        }
        if (dir != null) {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "local demo hosts' directory " + dir + " not removed: " + e);
        }
    }

    // ------------------------------------------------------------------ progress

    private void resetSteps() {
        for (Step s : Step.values()) {
            steps.put(s, StepState.WAITING);
        }
    }

    private void begin(Step step, IProgressMonitor monitor) {
        monitor.subTask(step.title());
        synchronized (this) {
            steps.put(step, StepState.RUNNING);
        }
        fire();
    }

    private Step next(Step done, IProgressMonitor monitor) {
        if (monitor.isCanceled()) {
            throw new IllegalStateException("cancelled");
        }
        synchronized (this) {
            steps.put(done, StepState.DONE);
        }
        monitor.worked(1);
        Step next = Step.values()[done.ordinal() + 1];
        begin(next, monitor);
        return next;
    }

    private void finish(Step last) {
        synchronized (this) {
            steps.put(last, StepState.DONE);
            state = State.RUNNING;
        }
        fire();
    }

    private void fail(Step step, Failure why) {
        LOG.log(System.Logger.Level.WARNING, why.oneLine());
        stopHosts();
        synchronized (this) {
            steps.put(step, StepState.FAILED);
            failure = why;
            state = State.FAILED;
        }
        fire();
    }

    private void fire() {
        Progress p = progress();
        for (Listener l : listeners) {
            try {
                l.changed(p);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "local demo hosts listener failed", e);
            }
        }
    }

    private static Job job(String name, Jobs.Work work) {
        return Jobs.of(name, JOB_FAMILY, () -> false, work);
    }
}
