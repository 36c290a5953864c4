package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationEpoch;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmProcess;

/** A vTPM instance directory of a {@link SwtpmStore} and the swtpm process running on it. */
final class SwtpmInstance implements VtpmInstance {
    static final String SWTPM = "swtpm";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Auto-picked ports can be taken by someone else before swtpm binds them; try a few. */
    private static final int PORT_ATTEMPTS = 3;

    private final String id;
    private final Path directory;
    private final AtomicReference<SwtpmProcess> running = new AtomicReference<>();
    private volatile boolean deleted;

    SwtpmInstance(String id, Path directory) {
        this.id = id;
        this.directory = directory;
    }

    void prepareDirectories() throws HypervisorException {
        try {
            for (Path sub : List.of(stateDirectory(), certificateDirectory(), runDirectory())) {
                PrivateDirectories.create(sub);
            }
        } catch (IOException e) {
            throw new HypervisorException("cannot create the directories of vTPM " + id + ": " + e.getMessage(), e);
        }
    }

    Path directory() {
        return directory;
    }

    Path epochFile() {
        return directory.resolve("instance.json");
    }

    Path certificateDirectory() {
        return directory.resolve("certs");
    }

    Path runDirectory() {
        return directory.resolve("run");
    }

    void markDeleted() {
        deleted = true;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Path stateDirectory() {
        return directory.resolve("state");
    }

    @Override
    public MigrationEpoch epoch() throws HypervisorException {
        requireNotDeleted();
        return EpochFile.read(epochFile(), id);
    }

    @Override
    public synchronized MigrationEpoch advanceEpoch() throws HypervisorException {
        MigrationEpoch next = epoch().next();
        EpochFile.write(epochFile(), next);
        return next;
    }

    @Override
    public List<Path> ekCertificates() throws HypervisorException {
        requireNotDeleted();
        List<Path> certificates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(certificateDirectory(), "ek-*.crt")) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    certificates.add(entry);
                }
            }
        } catch (IOException e) {
            throw new HypervisorException("cannot list EK certificates of vTPM " + id + ": " + e.getMessage(), e);
        }
        certificates.sort(null);
        return List.copyOf(certificates);
    }

    @Override
    public Optional<VtpmProcess> runningProcess() {
        SwtpmProcess process = running.get();
        return process != null && process.isAlive() ? Optional.of(process) : Optional.empty();
    }

    @Override
    public synchronized VtpmProcess startForQemu(Duration timeout) throws HypervisorException {
        requireStartable();
        Path controlSocket = controlSocket();
        List<String> command = List.of(SWTPM, "socket", "--tpm2",
                "--tpmstate", "dir=" + stateDirectory() + ",mode=0600",
                "--ctrl", "type=unixio,path=" + controlSocket + ",mode=0600",
                "--log", "fd=1,level=1");
        ChildProcess child = ChildProcess.start("swtpm for QEMU, vTPM " + id, command, directory, logFile());
        return awaitReady(new SwtpmProcess(this, child, VtpmProcess.Mode.QEMU, controlSocket, -1), timeout);
    }

    @Override
    public synchronized VtpmProcess startStandalone(Duration timeout) throws HypervisorException {
        requireStartable();
        HypervisorException lastFailure = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = freeLoopbackPortPair();
            // the tpm2-tss swtpm TCTI expects the control channel on the data port + 1
            List<String> command = List.of(SWTPM, "socket", "--tpm2",
                    "--tpmstate", "dir=" + stateDirectory() + ",mode=0600",
                    "--server", "type=tcp,port=" + port + ",bindaddr=" + LOOPBACK.getHostAddress(),
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=" + LOOPBACK.getHostAddress(),
                    "--flags", "not-need-init,startup-clear",
                    "--log", "fd=1,level=1");
            ChildProcess child = ChildProcess.start("standalone swtpm, vTPM " + id + ", ports " + port + "-"
                    + (port + 1), command, directory, logFile());
            try {
                return awaitReady(new SwtpmProcess(this, child, VtpmProcess.Mode.STANDALONE, null, port), timeout);
            } catch (ExitedDuringStartup e) {
                lastFailure = e; // perhaps a port was taken between picking and binding it
            }
        }
        throw lastFailure;
    }

    private void requireNotDeleted() throws HypervisorException {
        if (deleted) {
            throw new HypervisorException("vTPM instance '" + id + "' has been deleted");
        }
    }

    private void requireStartable() throws HypervisorException {
        requireNotDeleted();
        Optional<VtpmProcess> current = runningProcess();
        if (current.isPresent()) {
            throw new HypervisorException("vTPM instance '" + id + "' already has a running swtpm (pid "
                    + current.get().pid() + ", " + current.get().mode() + ")");
        }
    }

    private Path controlSocket() throws HypervisorException {
        Path socket = UnixSockets.requireSocketPath(runDirectory().resolve("ctrl.sock"), "vTPM control");
        try {
            Files.deleteIfExists(socket); // left by a killed swtpm; swtpm refuses to bind over it
        } catch (IOException e) {
            throw new HypervisorException("cannot remove stale control socket " + socket + ": " + e.getMessage(), e);
        }
        return socket;
    }

    private Path logFile() {
        return runDirectory().resolve("swtpm.log");
    }

    /** Waits until swtpm accepts on every channel it serves, then records it as this instance's process. */
    private SwtpmProcess awaitReady(SwtpmProcess process, Duration timeout) throws HypervisorException {
        ChildProcess child = process.child();
        Deadline deadline = Deadline.after(timeout);
        try {
            // a connect-and-close on the control channel is harmless: swtpm goes back to accepting
            if (process.mode() == VtpmProcess.Mode.QEMU) {
                // a connect-and-close on the control channel is harmless: swtpm goes back to accepting
                UnixSockets.connect(process.controlSocket(), deadline, child::isAlive, child.label()).close();
            } else {
                for (int port : new int[] {process.dataPort(), process.controlPort()}) {
                    deadline.await(child.label() + " to accept TCP connections on port " + port, () -> {
                        if (!child.isAlive()) {
                            throw new HypervisorException(child.label() + " exited");
                        }
                        return acceptsConnections(port);
                    });
                }
            }
        } catch (HypervisorException | IOException e) {
            boolean exitedByItself = !child.isAlive();
            child.stop(Duration.ofSeconds(2));
            String message = "swtpm for vTPM " + id + " did not become ready: " + e.getMessage() + "; "
                    + child.exitDescription();
            throw exitedByItself ? new ExitedDuringStartup(message, e) : new HypervisorException(message, e);
        }
        running.set(process);
        return process;
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** A port P such that P and P + 1 are both free on the loopback interface right now. */
    private static int freeLoopbackPortPair() throws HypervisorException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, LOOPBACK)) {
                int port = first.getLocalPort();
                if (port < 65535) {
                    new ServerSocket(port + 1, 1, LOOPBACK).close();
                    return port;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new HypervisorException("cannot find two consecutive free TCP ports on " + LOOPBACK
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** swtpm ended on its own while starting (e.g. its port was taken). */
    private static final class ExitedDuringStartup extends HypervisorException {
        private static final long serialVersionUID = 1L;

        ExitedDuringStartup(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "vTPM " + id + " at " + directory;
    }
}
