package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.vtpmmigrate.hypervisor.DirectQemuMigration;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.IncomingMigration;
import org.vtpmmigrate.hypervisor.MigrationSettings;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.hypervisor.OutgoingMigration;
import org.vtpmmigrate.hypervisor.VirtualMachine;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmStore;

/** What the engine's figures are compared with: the same work done without attestation or sealing. */
final class BenchBaselines {
    /** Each QEMU, swtpm or migration step of the bench. */
    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(60);
    private static final int CHUNK = 64 * 1024;
    private static final Duration CREDENTIAL_VALIDITY = Duration.ofHours(1);

    private BenchBaselines() {
    }

    /** Nanoseconds to send {@code bytes} over a 127.0.0.1 TCP connection and read them all on the other end. */
    static long plainSocketCopyNanos(long bytes) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buffer = new byte[CHUNK];
                    long total = 0;
                    for (int n; (n = in.read(buffer)) > 0;) {
                        total += n;
                    }
                    return total;
                } catch (IOException e) {
                    throw new IllegalStateException("plain socket receiver: " + e.getMessage(), e);
                }
            });
            byte[] chunk = new byte[CHUNK];
            new java.util.SplittableRandom(1).nextBytes(chunk);
            long start = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    OutputStream out = s.getOutputStream()) {
                for (long left = bytes; left > 0; left -= CHUNK) {
                    out.write(chunk, 0, (int) Math.min(CHUNK, left));
                }
            }
            long got = received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long nanos = System.nanoTime() - start;
            if (got != bytes) {
                throw new IOException("plain socket copy received " + got + " of " + bytes + " bytes");
            }
            return nanos;
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("plain socket copy did not finish: " + e.getMessage(), e);
        }
    }

    /** Total and downtime of one QEMU-to-QEMU migration relayed by a plain Java channel copy, in ms. */
    record PlainMigration(double totalMs, double downtimeMs) {
    }

    /**
     * One QEMU-to-QEMU migration over QEMU's own transport.
     *
     * @param totalMs from the destination being told to listen until it reported the stream loaded
     * @param downtimeMs QEMU's {@code query-migrate} downtime on the source
     * @param qemuTotalMs QEMU's {@code query-migrate} total-time on the source
     * @param bytes RAM stream bytes QEMU sent
     * @param rounds QEMU's dirty-sync count (pre-copy rounds; an idle guest shows 2)
     */
    record QemuMigration(double totalMs, double downtimeMs, double qemuTotalMs, long bytes, long rounds) {
        static QemuMigration of(DirectQemuMigration.Result result) {
            return new QemuMigration(result.wallTime().toNanos() / 1e6, result.downtimeMillis(),
                    result.qemuTotalTimeMillis(), result.transferredBytes(), result.dirtySyncCount());
        }
    }

    /** What is done with a freshly launched source (running) and destination (waiting for a stream). */
    @FunctionalInterface
    private interface PairMigration<T> {
        T migrate(VirtualMachine source, VirtualMachine destination) throws HypervisorException, IOException;
    }

    /**
     * Launches {@code config} with a fresh vTPM from a store under {@code work}, migrates it into a second
     * QEMU through a plain copy of QEMU's stream (no attestation, no sealing) and stops both.
     */
    static PlainMigration plainRelayMigration(VmConfig config, Path work) throws HypervisorException, IOException {
        return onFreshPair(config, work, (source, destination) -> {
            long start = System.nanoTime();
            try (IncomingMigration in = destination.migrateIn(TIMEOUT);
                    OutgoingMigration out = source.migrateOut(MigrationSettings.defaults())) {
                relay(out.data(), in.data());
                in.endOfStream();
                MigrationStats stats = out.awaitCompletion(TIMEOUT);
                in.awaitCompletion(TIMEOUT);
                double totalMs = (System.nanoTime() - start) / 1e6;
                return new PlainMigration(totalMs, stats.downtimeMillis());
            }
        });
    }

    /**
     * As {@link #plainRelayMigration} but QEMU sends straight to QEMU over 127.0.0.1 TCP, plain or inside
     * QEMU's TLS (tls-creds-x509, certificates on both ends, written under {@code work} before the clock
     * starts). Both VMs have a vTPM, whose state travels in QEMU's stream as in the engine's migration.
     */
    static QemuMigration qemuDirectMigration(VmConfig config, Path work, boolean tls) throws HypervisorException,
            IOException {
        Path credentials = work.resolve("credentials");
        if (tls) {
            DirectQemuMigration.writeTlsCredentials(credentials, CREDENTIAL_VALIDITY);
        }
        return onFreshPair(config, work, (source, destination) -> QemuMigration.of(tls
                ? DirectQemuMigration.overTls(source, credentials, destination, credentials,
                        MigrationSettings.defaults(), TIMEOUT)
                : DirectQemuMigration.overTcp(source, destination, MigrationSettings.defaults(), TIMEOUT)));
    }

    private static <T> T onFreshPair(VmConfig config, Path work, PairMigration<T> migration)
            throws HypervisorException, IOException {
        VtpmStore sourceStore = VtpmStore.open(work.resolve("source-store"));
        VtpmStore destinationStore = VtpmStore.open(work.resolve("destination-store"));
        VtpmInstance sourceVtpm = sourceStore.create(config.name(), TIMEOUT);
        VtpmInstance destinationVtpm = destinationStore.createIncoming(sourceVtpm.epoch().next());
        // short run directory names: they hold unix sockets, whose paths are limited to 107 bytes
        try (VirtualMachine source = VirtualMachine.launch(config, work.resolve("s"),
                sourceVtpm.startForQemu(TIMEOUT), TIMEOUT);
                VirtualMachine destination = VirtualMachine.launchIncoming(config, work.resolve("d"),
                        destinationVtpm.startForQemu(TIMEOUT), TIMEOUT)) {
            return migration.migrate(source, destination);
        }
    }

    private static void relay(ReadableByteChannel from, WritableByteChannel to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK * 4);
        while (from.read(buffer) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                to.write(buffer);
            }
            buffer.clear();
        }
    }
}
