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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    private static final int CHUNK = 64 * 1024;

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
            long got = received.get(DemoHost.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
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
     * Launches {@code config} with a fresh vTPM from a store under {@code work}, migrates it into a second
     * QEMU through a plain copy of QEMU's stream (no attestation, no sealing) and stops both.
     */
    static PlainMigration plainRelayMigration(VmConfig config, Path work) throws HypervisorException, IOException,
            InterruptedException {
        VtpmStore sourceStore = VtpmStore.open(work.resolve("plain-source"));
        VtpmStore destinationStore = VtpmStore.open(work.resolve("plain-destination"));
        VtpmInstance sourceVtpm = sourceStore.create(config.name(), DemoHost.TIMEOUT);
        VtpmInstance destinationVtpm = destinationStore.createIncoming(sourceVtpm.epoch().next());
        try (VirtualMachine source = VirtualMachine.launch(config, work.resolve("ps"),
                sourceVtpm.startForQemu(DemoHost.TIMEOUT), DemoHost.TIMEOUT);
                VirtualMachine destination = VirtualMachine.launchIncoming(config, work.resolve("pd"),
                        destinationVtpm.startForQemu(DemoHost.TIMEOUT), DemoHost.TIMEOUT)) {
            long start = System.nanoTime();
            try (IncomingMigration in = destination.migrateIn(DemoHost.TIMEOUT);
                    OutgoingMigration out = source.migrateOut(MigrationSettings.defaults())) {
                relay(out.data(), in.data());
                in.endOfStream();
                MigrationStats stats = out.awaitCompletion(DemoHost.TIMEOUT);
                in.awaitCompletion(DemoHost.TIMEOUT);
                double totalMs = (System.nanoTime() - start) / 1e6;
                return new PlainMigration(totalMs, stats.downtimeMillis());
            }
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
