package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real swtpm TPM 2.0 on 127.0.0.1 with a private state directory and, when EK certificates
 * are wanted, a private swtpm-localca (its own config, CA keys and certificates under the work
 * directory, so tests neither read nor change /var/lib/swtpm-localca). tpm2-tools reach it
 * through the swtpm TCTI. swtpm runs with --daemon: the launcher exits once the sockets
 * listen, which is the readiness condition; it is stopped by its pid.
 */
final class Swtpm implements AutoCloseable {
    private static final long TOOL_TIMEOUT_S = 120;

    record Result(int rc, String stdout, String stderr) {
    }

    private final Path work;
    private final Path state;
    private final Path ca;
    private int port;
    private long pid = -1;

    private Swtpm(Path work) {
        this.work = work;
        this.state = work.resolve("state");
        this.ca = work.resolve("ca");
    }

    /**
     * Manufactures a TPM with swtpm_setup (RSA and ECC EKs, EK certificates from a private CA
     * when {@code ekCertificates}) with the given PCR banks, then starts it.
     */
    static Swtpm start(Path work, boolean ekCertificates, String pcrBanks) {
        Swtpm s = new Swtpm(work);
        try {
            Files.createDirectories(s.state);
            Files.createDirectories(s.ca);
            Path localcaConf = s.ca.resolve("swtpm-localca.conf");
            Files.writeString(localcaConf, "statedir = " + s.ca + "\nsigningkey = " + s.ca.resolve("signkey.pem")
                    + "\nissuercert = " + s.ca.resolve("issuercert.pem") + "\ncertserial = " + s.ca.resolve("certserial") + "\n");
            Path setupConf = s.ca.resolve("swtpm_setup.conf");
            Files.writeString(setupConf, "create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = "
                    + localcaConf + "\ncreate_certs_tool_options = /etc/swtpm-localca.options\n");
            List<String> setup = new ArrayList<>(List.of("swtpm_setup", "--tpm2", "--tpmstate", s.state.toString(),
                    "--createek", "--overwrite", "--pcr-banks", pcrBanks, "--config", setupConf.toString()));
            if (ekCertificates) {
                setup.add("--create-ek-cert");
            }
            Result r = s.run(setup, Map.of());
            assertEquals(0, r.rc, "swtpm_setup failed: " + r.stderr + r.stdout);
            s.launch();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops swtpm and starts it again on the same state: a TPM Reset (power cycle) with Startup(CLEAR). */
    void restart() {
        stop();
        launch();
    }

    private void launch() {
        Path pidFile = work.resolve("swtpm.pid");
        for (int attempt = 0; attempt < 20; attempt++) {
            int p = freePortPair();
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Result r = run(List.of("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + state,
                    "--server", "type=tcp,port=" + p + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (p + 1) + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear", "--daemon", "--pid", "file=" + pidFile), Map.of());
            if (r.rc == 0) {
                try {
                    pid = Long.parseLong(Files.readString(pidFile).trim());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                port = p;
                return;
            }
            // the port pair was taken between probing and binding: try another
        }
        fail("swtpm did not start on any free port pair");
    }

    /** Two consecutive free ports: the swtpm TCTI uses port+1 for the control channel. */
    private static int freePortPair() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = a.getLocalPort();
                if (p >= 65535) {
                    continue;
                }
                try (ServerSocket b = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
                    return b.getLocalPort() - 1;
                } catch (IOException taken) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port pair on 127.0.0.1");
    }

    /** The data port (raw TPM commands; the swtpm TCTI uses port + 1 for control). */
    int port() {
        return port;
    }

    Path work() {
        return work;
    }

    /** The private CA's directory (swtpm-localca-rootca-cert.pem, issuercert.pem). */
    Path caDirectory() {
        return ca;
    }

    /** Runs a tpm2-tools command against this TPM in the work directory, then flushes transient objects and sessions. */
    Result tool(String... command) {
        Result r = run(Arrays.asList(command), tcti());
        flush();
        return r;
    }

    /** Runs a command that must succeed and returns its stdout. */
    String toolOk(String... command) {
        Result r = tool(command);
        assertEquals(0, r.rc, String.join(" ", command) + " failed: " + r.stderr);
        return r.stdout;
    }

    /** Runs several commands without flushing between them (a policy session must survive), then flushes. */
    List<Result> sequence(String[]... commands) {
        List<Result> out = new ArrayList<>();
        for (String[] c : commands) {
            Result r = run(Arrays.asList(c), tcti());
            out.add(r);
            if (r.rc != 0) {
                break;
            }
        }
        flush();
        return out;
    }

    private void flush() {
        for (String kind : new String[] {"-t", "-l", "-s"}) {
            run(List.of("tpm2_flushcontext", kind), tcti());
        }
    }

    private Map<String, String> tcti() {
        return Map.of("TPM2TOOLS_TCTI", "swtpm:host=127.0.0.1,port=" + port);
    }

    private Result run(List<String> command, Map<String, String> env) {
        try {
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(TOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + TOOL_TIMEOUT_S + " s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    private void stop() {
        if (pid < 0) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
        pid = -1;
    }

    /** Stops swtpm; the work directory belongs to the caller (a JUnit @TempDir). */
    @Override
    public void close() {
        stop();
    }
}
