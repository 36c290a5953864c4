package org.vtpmmigrate.hypervisor.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.hypervisor.DirectQemuMigration;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationFailedException;
import org.vtpmmigrate.hypervisor.MigrationSettings;
import org.vtpmmigrate.hypervisor.MigrationStats;
import org.vtpmmigrate.hypervisor.QmpException;
import org.vtpmmigrate.hypervisor.RunState;
import org.vtpmmigrate.hypervisor.VirtualMachine;

/**
 * QEMU migrating straight to QEMU over 127.0.0.1 TCP, optionally wrapped in QEMU's own TLS
 * ({@code tls-creds-x509}): the destination listens on a port the kernel picks, the source connects
 * to it. See {@link DirectQemuMigration}.
 */
public final class QemuDirectMigration {
    /** The QOM id of the credentials object added to each QEMU for a TLS migration. */
    static final String TLS_OBJECT_ID = "migration-tls";
    private static final String LOOPBACK = "127.0.0.1";

    private QemuDirectMigration() {
    }

    /**
     * Migrates {@code source} into {@code destination} (launched with
     * {@link VirtualMachine#launchIncoming}); with non-null credential directories over TLS, the
     * destination as TLS server requiring a client certificate. The destination ends loaded and paused.
     */
    public static DirectQemuMigration.Result run(VirtualMachine source, Path sourceCredentials,
            VirtualMachine destination, Path destinationCredentials, MigrationSettings settings, Duration timeout)
            throws HypervisorException {
        QemuVirtualMachine from = qemu(source, "source");
        QemuVirtualMachine to = qemu(destination, "destination");
        Objects.requireNonNull(settings, "settings");
        boolean tls = sourceCredentials != null;
        if (tls != (destinationCredentials != null)) {
            throw new IllegalArgumentException("TLS needs credential directories for both ends");
        }
        Deadline deadline = Deadline.after(timeout);
        try {
            if (tls) {
                addTlsCredentials(to, destinationCredentials, "server", List.of(
                        MigrationTlsCertificates.CA_CERTIFICATE, MigrationTlsCertificates.SERVER_CERTIFICATE,
                        MigrationTlsCertificates.SERVER_KEY));
                addTlsCredentials(from, sourceCredentials, "client", List.of(
                        MigrationTlsCertificates.CA_CERTIFICATE, MigrationTlsCertificates.CLIENT_CERTIFICATE,
                        MigrationTlsCertificates.CLIENT_KEY));
            }
            long start = System.nanoTime();
            try (QmpClient.EventSubscription destinationEvents = to.subscribeMigrationEvents();
                    QmpClient.EventSubscription sourceEvents = from.subscribeMigrationEvents()) {
                to.prepareIncoming(tlsParameters(tls));
                to.qmp().execute("migrate-incoming", uri("tcp:" + LOOPBACK + ":0"),
                        QemuVirtualMachine.COMMAND_TIMEOUT);
                int port = listeningPort(to);
                from.prepareOutgoing(settings, tlsParameters(tls));
                String uri = "tcp:" + LOOPBACK + ":" + port;
                from.qmp().execute("migrate", uri(uri), QemuVirtualMachine.COMMAND_TIMEOUT);
                MigrationStats stats;
                try {
                    stats = QemuOutgoingMigration.awaitSourceCompletion(from, sourceEvents, deadline.remaining());
                } catch (MigrationFailedException e) {
                    throw new MigrationFailedException(e.status(), (tls ? "TLS" : "plain TCP")
                            + " migration of VM " + from.config().name() + " to " + uri + " failed on the source: "
                            + e.reason());
                }
                RunState arrived = QemuIncomingMigration.awaitDestinationCompletion(to, destinationEvents,
                        deadline.remaining());
                return new DirectQemuMigration.Result(tls, Duration.ofNanos(System.nanoTime() - start),
                        stats.totalTimeMillis(), stats.downtimeMillis(), stats.setupTimeMillis(),
                        stats.transferredBytes(), stats.dirtySyncCount(), arrived);
            }
        } finally {
            if (tls) {
                removeTlsCredentials(from);
                removeTlsCredentials(to);
            }
        }
    }

    private static QemuVirtualMachine qemu(VirtualMachine vm, String role) {
        Objects.requireNonNull(vm, role);
        if (!(vm instanceof QemuVirtualMachine q)) {
            throw new IllegalArgumentException("the " + role + " is not a QEMU VM of this bundle: " + vm);
        }
        return q;
    }

    private static JsonObject uri(String uri) {
        JsonObject arguments = new JsonObject();
        arguments.addProperty("uri", uri);
        return arguments;
    }

    /** An empty {@code tls-creds} turns TLS off explicitly, whatever an earlier migration set. */
    private static JsonObject tlsParameters(boolean tls) {
        JsonObject parameters = new JsonObject();
        parameters.addProperty("tls-creds", tls ? TLS_OBJECT_ID : "");
        return parameters;
    }

    /**
     * Adds the {@code tls-creds-x509} object; QEMU loads and sanity-checks the files right away (CA
     * flag, key usage, purpose, the certificate chaining to the CA), so bad material fails here.
     */
    private static void addTlsCredentials(QemuVirtualMachine vm, Path directory, String endpoint,
            List<String> files) throws HypervisorException {
        Path dir = directory.toAbsolutePath().normalize();
        for (String file : files) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new HypervisorException("TLS credentials for the " + endpoint + " end (VM " + vm.config().name()
                        + ") lack " + dir.resolve(file));
            }
        }
        JsonObject arguments = new JsonObject();
        arguments.addProperty("qom-type", "tls-creds-x509");
        arguments.addProperty("id", TLS_OBJECT_ID);
        arguments.addProperty("dir", UnixSockets.requireSafeOptionPath(dir, "TLS credential directory").toString());
        arguments.addProperty("endpoint", endpoint);
        arguments.addProperty("verify-peer", true);
        try {
            vm.qmp().execute("object-add", arguments, QemuVirtualMachine.COMMAND_TIMEOUT);
        } catch (QmpException e) {
            throw new HypervisorException("QEMU of VM " + vm.config().name() + " rejected the TLS " + endpoint
                    + " credentials in " + dir + ": " + e.description(), e);
        }
    }

    /** Best effort, so that the same QEMU can migrate again; a QEMU that is gone needs nothing. */
    private static void removeTlsCredentials(QemuVirtualMachine vm) {
        if (!vm.isAlive() || !vm.qmp().isOpen()) {
            return;
        }
        try {
            vm.qmp().execute("migrate-set-parameters", tlsParameters(false), QemuVirtualMachine.COMMAND_TIMEOUT);
        } catch (HypervisorException ignored) {
            // a destination that loaded the stream refuses nothing here; one that failed may have exited
        }
        try {
            JsonObject arguments = new JsonObject();
            arguments.addProperty("id", TLS_OBJECT_ID);
            vm.qmp().execute("object-del", arguments, QemuVirtualMachine.COMMAND_TIMEOUT);
        } catch (HypervisorException ignored) {
            // not added (failed earlier) or still referenced by a listener: it goes with the process
        }
    }

    /** The port QEMU's incoming listener got from the kernel ({@code query-migrate} socket-address). */
    private static int listeningPort(QemuVirtualMachine vm) throws HypervisorException {
        JsonElement reply = vm.qmp().execute("query-migrate", QemuVirtualMachine.COMMAND_TIMEOUT);
        JsonElement addresses = reply != null && reply.isJsonObject() ? reply.getAsJsonObject().get("socket-address")
                : null;
        if (addresses != null && addresses.isJsonArray()) {
            for (JsonElement address : (JsonArray) addresses) {
                if (address.isJsonObject() && "inet".equals(JsonValues.stringOrNull(address.getAsJsonObject(), "type"))) {
                    String port = JsonValues.stringOrNull(address.getAsJsonObject(), "port");
                    try {
                        int value = port == null ? -1 : Integer.parseInt(port);
                        if (value > 0 && value <= 65535) {
                            return value;
                        }
                    } catch (NumberFormatException e) {
                        // reported below with the whole reply
                    }
                }
            }
        }
        throw new HypervisorException("QEMU of VM " + vm.config().name()
                + " reported no TCP port for its incoming migration listener: " + reply);
    }
}
