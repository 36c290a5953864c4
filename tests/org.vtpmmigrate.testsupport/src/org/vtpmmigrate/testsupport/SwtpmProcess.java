package org.vtpmmigrate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * A real swtpm (TPM 2.0) serving raw TPM commands over TCP on 127.0.0.1, manufactured with an
 * RSA and an ECC EK, their certificates from swtpm's local CA, and a platform certificate.
 * <p>
 * Each instance owns a fresh temporary directory (TPM state and log) and two free adjacent ports
 * (data, and control on data + 1 as tpm2-tools expects). {@link #close()} stops the process and deletes the directory. swtpm serves one client
 * connection at a time and has no resource manager: close a client connection before running a
 * tpm2-tools command with {@link #runTool}, and flush every transient handle.
 *
 * <pre>{@code
 * try (SwtpmProcess tpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start()) {
 *     tpm.runTool("tpm2_pcrread", "sha256:16").requireSuccess();
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
    private static final String LOCAL_CA_CONFIG = "/etc/swtpm-localca.conf";

    private final Path workDirectory;
    private final Path stateDirectory;
    private final Path logFile;
    private final Process process;
    private final int port;
    private final int controlPort;

    private SwtpmProcess(Path workDirectory, Path stateDirectory, Path logFile, Process process, int port,
            int controlPort) {
        this.workDirectory = workDirectory;
        this.stateDirectory = stateDirectory;
        this.logFile = logFile;
        this.process = process;
        this.port = port;
        this.controlPort = controlPort;
    }

    /** Starts an swtpm with swtpm_setup's default PCR banks (sha256 only on swtpm 0.7). */
    public static SwtpmProcess start() {
        return builder().start();
    }

    /** Returns a builder for an swtpm with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a new swtpm. */
    public static final class Builder {
        private List<String> pcrBanks = List.of();
        private Duration startupTimeout = Duration.ofSeconds(15);

        private Builder() {
        }

        /**
         * PCR banks to allocate, for example {@code "sha1", "sha256"}; none given means swtpm_setup's
         * default.
         */
        public Builder pcrBanks(String... banks) {
            for (String bank : banks) {
                if (!bank.matches("sha1|sha256|sha384|sha512")) {
                    throw new IllegalArgumentException("Unknown PCR bank '" + bank
                            + "': expected sha1, sha256, sha384 or sha512");
                }
            }
            this.pcrBanks = List.of(banks);
            return this;
        }

        /** How long swtpm may take to accept connections once started (default 15 s). */
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
            Path workDirectory = createTempDirectory();
            boolean started = false;
            try {
                Path stateDirectory = Files.createDirectory(workDirectory.resolve("state"));
                manufacture(stateDirectory, pcrBanks);
                SwtpmProcess swtpm = launchWithFreePorts(workDirectory, stateDirectory, startupTimeout);
                started = true;
                return swtpm;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot prepare swtpm directory " + workDirectory, e);
            } finally {
                if (!started) {
                    deleteTree(workDirectory);
                }
            }
        }
    }

    /** The TCP port of the TPM command channel. */
    public int port() {
        return port;
    }

    /** The TCP port of swtpm's control channel. */
    public int controlPort() {
        return controlPort;
    }

    /** The TPM state directory (deleted by {@link #close()}). */
    public Path stateDirectory() {
        return stateDirectory;
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
     * Runs a tpm2-tools command against this swtpm (with {@code TPM2TOOLS_TCTI} set) and returns its
     * outcome; a non-zero exit is not an error here, see {@link ProcessResult#requireSuccess()}.
     */
    public ProcessResult runTool(String... command) {
        return runTool(DEFAULT_TOOL_TIMEOUT, List.of(command));
    }

    /** Like {@link #runTool(String...)} with an explicit timeout. */
    public ProcessResult runTool(Duration timeout, List<String> command) {
        if (!process.isAlive()) {
            throw new IllegalStateException("swtpm on port " + port + " is not running; log: " + log());
        }
        return ProcessResult.run(command, Map.of("TPM2TOOLS_TCTI", tcti()), timeout);
    }

    /**
     * The certificate files of swtpm's local CA (root first, then the issuer of EK certificates),
     * as configured in {@value #LOCAL_CA_CONFIG}: the trust anchors for EK certificates made by
     * swtpm_setup on this machine.
     */
    public static List<Path> localCaCertificateFiles() {
        Path config = Path.of(LOCAL_CA_CONFIG);
        String stateDir = null;
        String issuerCert = null;
        try {
            for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
                String[] keyValue = line.split("=", 2);
                if (keyValue.length == 2) {
                    String key = keyValue[0].strip();
                    if (key.equals("statedir")) {
                        stateDir = keyValue[1].strip();
                    } else if (key.equals("issuercert")) {
                        issuerCert = keyValue[1].strip();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read swtpm local CA configuration " + config, e);
        }
        if (stateDir == null || issuerCert == null) {
            throw new IllegalStateException(config + " lacks 'statedir' or 'issuercert'");
        }
        Path root = Path.of(stateDir, "swtpm-localca-rootca-cert.pem");
        Path issuer = Path.of(issuerCert);
        for (Path file : List.of(root, issuer)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("swtpm local CA certificate " + file
                        + " does not exist (it is created by the first swtpm_setup --create-ek-cert)");
            }
        }
        return List.of(root, issuer);
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

    private static void manufacture(Path stateDirectory, List<String> pcrBanks) {
        List<String> command = new ArrayList<>(List.of("swtpm_setup", "--tpm2", "--tpmstate",
                stateDirectory.toString(), "--createek", "--create-ek-cert", "--create-platform-cert",
                "--overwrite"));
        if (!pcrBanks.isEmpty()) {
            command.add("--pcr-banks");
            command.add(String.join(",", pcrBanks));
        }
        ProcessResult.run(command, Map.of(), SETUP_TIMEOUT).requireSuccess();
    }

    private static SwtpmProcess launchWithFreePorts(Path workDirectory, Path stateDirectory, Duration startupTimeout)
            throws IOException {
        Path logFile = workDirectory.resolve("swtpm.log");
        IllegalStateException lastFailure = null;
        // A free port can be taken by someone else between probing and swtpm's bind: try again.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] ports = freeAdjacentPorts();
            List<String> command = List.of("swtpm", "socket", "--tpm2",
                    "--tpmstate", "dir=" + stateDirectory,
                    "--server", "type=tcp,port=" + ports[0] + ",bindaddr=" + HOST,
                    "--ctrl", "type=tcp,port=" + ports[1] + ",bindaddr=" + HOST,
                    "--flags", "not-need-init,startup-clear",
                    "--log", "file=" + logFile + ",level=1");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            try {
                awaitListening(process, ports[0], startupTimeout, logFile);
                return new SwtpmProcess(workDirectory, stateDirectory, logFile, process, ports[0], ports[1]);
            } catch (IllegalStateException | AssertionError e) {
                stop(process);
                lastFailure = new IllegalStateException("swtpm did not start (attempt " + attempt + " of "
                        + START_ATTEMPTS + "): " + e.getMessage(), e);
            }
        }
        throw lastFailure;
    }

    private static void awaitListening(Process process, int port, Duration timeout, Path logFile) {
        // Present once the port accepts (true) or the process has died (false): a dead swtpm fails fast.
        boolean listening = Await.value(() -> {
            if (!process.isAlive()) {
                return Optional.of(Boolean.FALSE);
            }
            return accepts(port) ? Optional.of(Boolean.TRUE) : Optional.empty();
        }, timeout, "swtpm to accept connections on " + HOST + ":" + port);
        if (!listening) {
            throw new IllegalStateException("swtpm exited with status " + process.exitValue() + "; log: "
                    + readLog(logFile));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
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
        if (!process.isAlive()) {
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
