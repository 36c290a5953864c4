package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.vtpmmigrate.hypervisor.internal.MigrationTlsCertificates;
import org.vtpmmigrate.hypervisor.internal.QemuDirectMigration;

/**
 * QEMU's own migration, source QEMU straight to destination QEMU over a 127.0.0.1 TCP connection,
 * plain or with QEMU's TLS ({@code tls-creds-x509}, both ends presenting certificates). It carries the
 * vTPM state inside QEMU's stream exactly as the engine's relay does, so the destination needs an
 * empty vTPM from {@link VtpmStore#createIncoming}. Nothing is attested or sealed: this is the
 * baseline the engine is measured against, not a way to move production VMs.
 */
public final class DirectQemuMigration {
    /**
     * One completed direct migration. The destination is loaded and paused ({@link #destinationState});
     * the source sits in {@link RunState#POSTMIGRATE}.
     *
     * @param tls whether QEMU's TLS wrapped the stream
     * @param wallTime from the destination being told to listen until it reported the stream loaded
     * @param qemuTotalTimeMillis the source's {@code query-migrate} total-time
     * @param downtimeMillis the source's {@code query-migrate} downtime: guest stopped for the final copy
     * @param setupTimeMillis the source's {@code query-migrate} setup-time
     * @param transferredBytes RAM stream bytes the source sent
     * @param dirtySyncCount pre-copy rounds as QEMU counts them (an idle guest shows 2)
     * @param destinationState the destination's run state once loaded
     */
    public record Result(boolean tls, Duration wallTime, long qemuTotalTimeMillis, long downtimeMillis,
            long setupTimeMillis, long transferredBytes, long dirtySyncCount, RunState destinationState) {
        public Result {
            Objects.requireNonNull(wallTime, "wallTime");
            Objects.requireNonNull(destinationState, "destinationState");
        }
    }

    private DirectQemuMigration() {
    }

    /**
     * Migrates {@code source} into {@code destination} (from {@link VirtualMachine#launchIncoming}, same
     * configuration) over plain TCP on 127.0.0.1, the port chosen by the kernel.
     *
     * @throws MigrationFailedException QEMU failed the migration; a running source keeps running
     */
    public static Result overTcp(VirtualMachine source, VirtualMachine destination, MigrationSettings settings,
            Duration timeout) throws HypervisorException {
        return QemuDirectMigration.run(source, null, destination, null, settings, timeout);
    }

    /**
     * As {@link #overTcp} inside QEMU's TLS. The destination is the TLS server and requires a client
     * certificate; the source checks the server certificate against its CA and 127.0.0.1.
     *
     * @param sourceCredentials directory with {@code ca-cert.pem}, {@code client-cert.pem},
     *     {@code client-key.pem}
     * @param destinationCredentials directory with {@code ca-cert.pem}, {@code server-cert.pem},
     *     {@code server-key.pem} (may be the same directory as the source's)
     * @throws MigrationFailedException e.g. either end does not trust the other's certificate; the
     *     message carries QEMU's reason and a running source keeps running
     */
    public static Result overTls(VirtualMachine source, Path sourceCredentials, VirtualMachine destination,
            Path destinationCredentials, MigrationSettings settings, Duration timeout) throws HypervisorException {
        Objects.requireNonNull(sourceCredentials, "sourceCredentials");
        Objects.requireNonNull(destinationCredentials, "destinationCredentials");
        return QemuDirectMigration.run(source, sourceCredentials, destination, destinationCredentials, settings,
                timeout);
    }

    /**
     * Writes a fresh CA with a server and a client certificate (RSA 2048) into {@code directory}
     * (created with mode 0700), usable by both ends of {@link #overTls}. The server certificate names
     * {@code localhost} and 127.0.0.1.
     *
     * @param validity how long the certificates stay valid, at most ten years
     */
    public static void writeTlsCredentials(Path directory, Duration validity) throws HypervisorException {
        MigrationTlsCertificates.write(Objects.requireNonNull(directory, "directory"),
                Objects.requireNonNull(validity, "validity"));
    }
}
