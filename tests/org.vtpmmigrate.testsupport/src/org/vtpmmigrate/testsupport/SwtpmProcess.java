package org.vtpmmigrate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real swtpm (TPM 2.0) serving raw TPM commands over TCP on 127.0.0.1, manufactured by
 * swtpm_setup with an RSA and an ECC EK (persistent at 0x81010001 and 0x81010016), their
 * certificates in NV (0x01c00002 for RSA; 0x01c00016 for ECC, a NIST P-384 key on swtpm 0.7) and a
 * platform certificate (0x01c08000).
 * <p>
 * Each instance owns a fresh temporary directory holding the TPM state, swtpm's log, a private
 * swtpm local CA and a {@linkplain #workingDirectory() working directory} for tpm2-tools, and two
 * free adjacent ports (data, and control on data + 1 as tpm2-tools expects). {@link #close()}
 * stops the process and deletes the directory.
 * <p>
 * The certificates come from a CA of this instance only, never from the machine's swtpm-localca
 * ({@code /var/lib/swtpm-localca}): that one is shared by every swtpm_setup on the machine (its
 * keys, serial counter and lock), is writable by root and tss only, and would make a test trust
 * every TPM ever manufactured there. A private CA needs no privileges, leaves no trace outside the
 * temporary directory, and {@link #localCaCertificateFiles()} trusts exactly this TPM.
 * <p>
 * swtpm serves one client connection at a time and has no resource manager: close a client
 * connection before running a tpm2-tools command, and flush what the tools leave loaded
 * ({@link #runToolThenFlush}, {@link #flushTransientHandles()}). Not for concurrent use.
 *
 * <pre>{@code
 * try (SwtpmProcess tpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start()) {
 *     tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-u", "ek.pub").requireSuccess();
 *     byte[] ek = Files.readAllBytes(tpm.workingDirectory().resolve("ek.pub"));
 * }
 * }</pre>
 */
public final class SwtpmProcess implements AutoCloseable {

    /** The loopback address swtpm binds to. */
    public static final String HOST = "127.0.0.1";

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 3;
    private static final String LOCAL_CA_TOOL = "swtpm_localca";
    private static final String ROOT_CA_CERTIFICATE = "swtpm-localca-rootca-cert.pem";
    private static final String ISSUER_CERTIFICATE = "issuercert.pem";
    /** tpm2_flushcontext options for transient objects, loaded sessions and saved sessions. */
    private static final List<String> FLUSH_OPTIONS = List.of("-t", "-l", "-s");

    private final Path workDirectory;
    private final Path stateDirectory;
    private final Path caDirectory;
    private final Path toolDirectory;
    private final Path logFile;
    private final Path pidFile;
    private final Duration startupTimeout;
    private Process process;
    private int port;
    private int controlPort;

    private SwtpmProcess(Path workDirectory, Duration startupTimeout) {
        this.workDirectory = workDirectory;
        this.stateDirectory = workDirectory.resolve("state");
        this.caDirectory = workDirectory.resolve("ca");
        this.toolDirectory = workDirectory.resolve("files");
        this.logFile = workDirectory.resolve("swtpm.log");
        this.pidFile = workDirectory.resolve("swtpm.pid");
        this.startupTimeout = startupTimeout;
    }

    /** Starts an swtpm with the sha256 PCR bank only. */
    public static SwtpmProcess start() {
        return builder().start();
    }

    /** Returns a builder for an swtpm with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a new swtpm. */
    public static final class Builder {
        private List<String> pcrBanks = List.of("sha256");
        private Duration startupTimeout = Duration.ofSeconds(15);

        private Builder() {
        }

        /**
         * PCR banks to allocate, for example {@code "sha1", "sha256"} (default: sha256 only, given
         * explicitly so the result does not depend on the swtpm version or /etc/swtpm_setup.conf).
         */
        public Builder pcrBanks(String... banks) {
            if (banks.length == 0) {
                throw new IllegalArgumentException("at least one PCR bank is needed");
            }
            for (String bank : banks) {
                if (!bank.matches("sha1|sha256|sha384|sha512")) {
                    throw new IllegalArgumentException("Unknown PCR bank '" + bank
                            + "': expected sha1, sha256, sha384 or sha512");
                }
            }
            this.pcrBanks = List.of(banks);
            return this;
        }

        /** How long swtpm may take to listen once started, also on {@link #restart()} (default 15 s). */
        public Builder startupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startup timeout must be positive, got " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * Manufactures the TPM state and starts swtpm.
         *
         * @throws IllegalStateException if swtpm_setup fails or swtpm does not come up; the message
         *         carries the tool output or swtpm's log
         */
        public SwtpmProcess start() {
            SwtpmProcess swtpm = new SwtpmProcess(createTempDirectory(), startupTimeout);
            boolean started = false;
            try {
                for (Path directory : List.of(swtpm.stateDirectory, swtpm.caDirectory, swtpm.toolDirectory)) {
                    Files.createDirectory(directory);
                }
                swtpm.manufacture(pcrBanks);
                swtpm.launch(null);
                started = true;
                return swtpm;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot prepare swtpm directory " + swtpm.workDirectory, e);
            } finally {
                if (!started) {
                    deleteTree(swtpm.workDirectory);
                }
            }
        }
    }

    /** The TCP port of the TPM command channel (it may change on {@link #restart()}). */
    public int port() {
        return port;
    }

    /** The TCP port of swtpm's control channel, always {@link #port()} + 1. */
    public int controlPort() {
        return controlPort;
    }

    /** The TPM state directory (deleted by {@link #close()}). */
    public Path stateDirectory() {
        return stateDirectory;
    }

    /**
     * The directory tpm2-tools run in: relative file names in their arguments (context files,
     * public areas, signatures) are read and written here. Deleted by {@link #close()}.
     */
    public Path workingDirectory() {
        return toolDirectory;
    }

    /** The value for {@code TPM2TOOLS_TCTI} (or {@code --tcti}) that reaches this swtpm. */
    public String tcti() {
        return "swtpm:host=" + HOST + ",port=" + port;
    }

    /** This swtpm as a TPM endpoint specification of the form {@code swtpm:127.0.0.1:<port>}. */
    public String endpointSpec() {
        return "swtpm:" + HOST + ":" + port;
    }

    /** Whether the swtpm process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** swtpm's own log so far (useful in failure messages). */
    public String log() {
        return readLog(logFile);
    }

    /**
     * Runs a tpm2-tools command against this swtpm (with {@code TPM2TOOLS_TCTI} set, in the
     * {@linkplain #workingDirectory() working directory}) and returns its outcome; a non-zero exit
     * is not an error here, see {@link ProcessResult#requireSuccess()}. Whatever the command leaves
     * loaded in the TPM stays there, for a following command to use.
     */
    public ProcessResult runTool(String... command) {
        return runTool(DEFAULT_TOOL_TIMEOUT, List.of(command));
    }

    /** Like {@link #runTool(String...)} with an explicit timeout. */
    public ProcessResult runTool(Duration timeout, List<String> command) {
        if (!process.isAlive()) {
            throw new IllegalStateException("swtpm on port " + port + " is not running; log: " + log());
        }
        return ProcessResult.run(toolDirectory, command, Map.of("TPM2TOOLS_TCTI", tcti()), timeout);
    }

    /**
     * Runs a tpm2-tools command like {@link #runTool(String...)}, then
     * {@linkplain #flushTransientHandles() flushes} what it left loaded: swtpm has three object
     * slots, and tpm2-tools without a resource manager keep every key they load.
     */
    public ProcessResult runToolThenFlush(String... command) {
        return runToolsThenFlush(List.of(command)).get(0);
    }

    /**
     * Runs tpm2-tools commands one after the other without flushing in between, so a session or
     * key loaded by one is usable by the next (a policy session, say); stops after the first
     * command that fails; then flushes whatever they left loaded.
     *
     * @return the results of the commands that ran, in order: fewer than given if one failed
     */
    @SafeVarargs
    public final List<ProcessResult> runToolsThenFlush(List<String>... commands) {
        if (commands.length == 0) {
            throw new IllegalArgumentException("no command given");
        }
        List<ProcessResult> results = new ArrayList<>();
        try {
            for (List<String> command : commands) {
                ProcessResult result = runTool(DEFAULT_TOOL_TIMEOUT, command);
                results.add(result);
                if (result.exitCode() != 0) {
                    break;
                }
            }
        } finally {
            flushTransientHandles();
        }
        return results;
    }

    /**
     * Flushes every transient object, loaded session and saved session from the TPM (persistent
     * objects and NV indices stay).
     *
     * @throws IllegalStateException if tpm2_flushcontext fails
     */
    public void flushTransientHandles() {
        for (String option : FLUSH_OPTIONS) {
            runTool("tpm2_flushcontext", option).requireSuccess();
        }
    }

    /**
     * Stops swtpm and starts it again on the same state: a TPM Reset, as on a power cycle, with
     * TPM2_Startup(CLEAR). Persistent objects, NV and the clock survive; transient objects and
     * sessions do not, and the reset counter grows. The ports stay unless another process took
     * them meanwhile.
     *
     * @throws IllegalStateException if swtpm does not come up again
     */
    public void restart() {
        if (!Files.isDirectory(stateDirectory)) {
            throw new IllegalStateException("swtpm in " + workDirectory + " was closed: there is no state to restart");
        }
        stop(process);
        try {
            launch(new int[] {port, controlPort});
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restart swtpm in " + workDirectory, e);
        }
    }

    /**
     * The certificate files of this instance's private local CA: its root first, then the issuer
     * of the EK and platform certificates. They are the trust anchors for this TPM's EK
     * certificates, and for no other TPM's.
     */
    public List<Path> localCaCertificateFiles() {
        List<Path> files = List.of(caDirectory.resolve(ROOT_CA_CERTIFICATE), caDirectory.resolve(ISSUER_CERTIFICATE));
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("swtpm local CA certificate " + file + " does not exist"
                        + (Files.exists(workDirectory) ? "" : " (the swtpm was closed)"));
            }
        }
        return files;
    }

    /** Stops swtpm (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
    @Override
    public void close() {
        try {
            stop(process);
        } finally {
            deleteTree(workDirectory);
        }
    }

    @Override
    public String toString() {
        return "swtpm[" + endpointSpec() + ", ctrl " + controlPort + ", " + stateDirectory + "]";
    }

    private void manufacture(List<String> pcrBanks) throws IOException {
        Path setupConfig = writeLocalCaConfiguration();
        List<String> command = List.of("swtpm_setup", "--tpm2", "--tpmstate", stateDirectory.toString(),
                "--createek", "--create-ek-cert", "--create-platform-cert", "--overwrite",
                "--pcr-banks", String.join(",", pcrBanks), "--config", setupConfig.toString());
        ProcessResult.run(workDirectory, command, Map.of(), SETUP_TIMEOUT).requireSuccess();
    }

    /**
     * Writes the configuration of a private local CA and an swtpm_setup configuration that uses
     * it. swtpm_localca creates the CA's keys and certificates on first use.
     *
     * @return the swtpm_setup configuration file
     */
    private Path writeLocalCaConfiguration() throws IOException {
        Path localCaConfig = Files.writeString(caDirectory.resolve("swtpm-localca.conf"),
                "statedir = " + caDirectory + "\n"
                        + "signingkey = " + caDirectory.resolve("signkey.pem") + "\n"
                        + "issuercert = " + caDirectory.resolve(ISSUER_CERTIFICATE) + "\n"
                        + "certserial = " + caDirectory.resolve("certserial") + "\n",
                StandardCharsets.UTF_8);
        // the platform certificate needs these; /etc/swtpm-localca.options may not exist
        Path localCaOptions = Files.writeString(caDirectory.resolve("swtpm-localca.options"),
                "--platform-manufacturer vTPM-Migrate-tests\n--platform-version 2.1\n--platform-model swtpm\n",
                StandardCharsets.UTF_8);
        return Files.writeString(caDirectory.resolve("swtpm_setup.conf"),
                "create_certs_tool = " + findOnPath(LOCAL_CA_TOOL) + "\n"
                        + "create_certs_tool_config = " + localCaConfig + "\n"
                        + "create_certs_tool_options = " + localCaOptions + "\n",
                StandardCharsets.UTF_8);
    }

    /** swtpm_setup runs the certificate tool by the path in its configuration. */
    private static Path findOnPath(String executable) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String directory : path.split(":")) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, executable);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException(executable + " (from the swtpm-tools package) is not on PATH " + path);
    }

    /**
     * Starts swtpm on {@code preferredPorts} if given and free, otherwise on fresh free ports, and
     * waits until it listens.
     */
    private void launch(int[] preferredPorts) throws IOException {
        IllegalStateException lastFailure = null;
        // A free port can be taken by someone else between probing and swtpm's bind: try again.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] ports = attempt == 1 && preferredPorts != null ? preferredPorts : freeAdjacentPorts();
            Files.deleteIfExists(pidFile);
            List<String> command = List.of("swtpm", "socket", "--tpm2",
                    "--tpmstate", "dir=" + stateDirectory,
                    "--server", "type=tcp,port=" + ports[0] + ",bindaddr=" + HOST,
                    "--ctrl", "type=tcp,port=" + ports[1] + ",bindaddr=" + HOST,
                    "--flags", "not-need-init,startup-clear",
                    "--pid", "file=" + pidFile,
                    "--log", "file=" + logFile + ",level=1");
            Process started = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            try {
                awaitListening(started);
                process = started;
                port = ports[0];
                controlPort = ports[1];
                return;
            } catch (IllegalStateException | AssertionError e) {
                stop(started);
                lastFailure = new IllegalStateException("swtpm did not start on ports " + ports[0] + "/" + ports[1]
                        + " (attempt " + attempt + " of " + START_ATTEMPTS + "): " + e.getMessage(), e);
            }
        }
        throw lastFailure;
    }

    /**
     * Waits for swtpm's pid file, which it writes once both sockets are bound. Unlike probing the
     * port with a connection, this cannot mistake another process that holds the port for swtpm.
     * swtpm stays a child of this JVM (no --daemon), so it is reaped on exit and {@link #isAlive()}
     * is exact even where PID 1 reaps orphans late.
     */
    private void awaitListening(Process started) {
        String ownPid = Long.toString(started.pid());
        // Present once the pid file names the process (true) or the process has died (false).
        boolean listening = Await.value(() -> {
            if (!started.isAlive()) {
                return Optional.of(Boolean.FALSE);
            }
            return ownPid.equals(readPidFile()) ? Optional.of(Boolean.TRUE) : Optional.empty();
        }, startupTimeout, "swtpm (pid " + ownPid + ") to write " + pidFile + " after binding its sockets");
        if (!listening) {
            throw new IllegalStateException("swtpm exited with status " + started.exitValue() + "; log: "
                    + readLog(logFile));
        }
    }

    private String readPidFile() {
        try {
            return Files.exists(pidFile) ? Files.readString(pidFile, StandardCharsets.US_ASCII).strip() : "";
        } catch (IOException e) {
            return ""; // being written: not ready yet
        }
    }

    /**
     * Two free adjacent ports: tpm2-tools' swtpm TCTI expects the control channel on the data port
     * plus one.
     */
    private static int[] freeAdjacentPorts() throws IOException {
        InetAddress loopback = InetAddress.getByName(HOST);
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket data = new ServerSocket(0, 1, loopback)) {
                int port = data.getLocalPort();
                if (port == 65535) {
                    continue;
                }
                try (ServerSocket control = new ServerSocket(port + 1, 1, loopback)) {
                    return new int[] {port, control.getLocalPort()};
                } catch (IOException e) {
                    // port + 1 is taken: try another pair
                }
            }
        }
        throw new IOException("Found no two free adjacent TCP ports on " + HOST);
    }

    private static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readLog(Path logFile) {
        try {
            return Files.exists(logFile) ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).strip()
                    : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("swtpm-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for swtpm", e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete swtpm directory " + root, e);
        }
    }
}
