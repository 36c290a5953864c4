package org.vtpmmigrate.hypervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU migrating straight to QEMU over 127.0.0.1, plain and inside QEMU's TLS with certificates
 * written by {@link DirectQemuMigration#writeTlsCredentials}: real QEMU and swtpm processes on both
 * ends, the vTPM state carried in QEMU's stream.
 */
class DirectQemuMigrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final long MEMORY_MIB = 64;
    private static final byte[] MARKER = "marker-in-a-direct-migration".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;

    @RegisterExtension
    final StartedResources started = new StartedResources();

    private record Host(VtpmInstance instance, VirtualMachine vm) {
    }

    private static VmConfig config(String name) {
        return VmConfig.builder().name(name).memoryMiB(MEMORY_MIB).accelerator(VmConfig.Accelerator.TCG).build();
    }

    /** A running VM whose vTPM holds {@link #MARKER}. */
    private Host source(String id) throws Exception {
        VtpmStore store = VtpmStore.open(temp.resolve("source-store"));
        VtpmInstance instance = store.create(id, TIMEOUT);
        try (VtpmProcess standalone = instance.startStandalone(TIMEOUT)) {
            new Tpm2Tools(standalone, temp).writeMarker(MARKER);
        }
        VirtualMachine vm = started.track(VirtualMachine.launch(config(id), temp.resolve("source-run"),
                instance.startForQemu(TIMEOUT), TIMEOUT));
        vm.awaitStatus(RunState.RUNNING, TIMEOUT);
        return new Host(instance, vm);
    }

    private Host destination(Host source) throws Exception {
        MigrationEpoch epoch = source.instance().advanceEpoch();
        VtpmInstance instance = VtpmStore.open(temp.resolve("destination-store")).createIncoming(epoch);
        VirtualMachine vm = started.track(VirtualMachine.launchIncoming(config(epoch.instanceId()),
                temp.resolve("destination-run"), instance.startForQemu(TIMEOUT), TIMEOUT));
        assertEquals(RunState.INMIGRATE, vm.status());
        return new Host(instance, vm);
    }

    /** The VM runs on the destination, the source waits paused, the vTPM marker arrived. */
    private void assertMoved(DirectQemuMigration.Result result, Host source, Host destination) throws Exception {
        System.out.println("direct migration of " + MEMORY_MIB + " MiB: " + result);
        assertEquals(RunState.PAUSED, result.destinationState(), result.toString());
        assertTrue(result.transferredBytes() > 0 && result.qemuTotalTimeMillis() > 0, result.toString());
        assertTrue(result.downtimeMillis() >= 0 && result.downtimeMillis() <= result.qemuTotalTimeMillis(),
                result.toString());
        assertTrue(result.dirtySyncCount() >= 2, "pre-copy rounds: " + result);
        assertFalse(result.wallTime().isNegative() || result.wallTime().isZero(), result.toString());
        assertEquals(RunState.POSTMIGRATE, source.vm().status());
        destination.vm().resume();
        destination.vm().awaitStatus(RunState.RUNNING, TIMEOUT);

        destination.vm().stop(TIMEOUT);
        try (VtpmProcess standalone = destination.instance().startStandalone(TIMEOUT)) {
            assertArrayEquals(MARKER, new Tpm2Tools(standalone, temp).readMarker(MARKER.length),
                    "the destination vTPM lacks the marker written on the source");
        }
    }

    @Test
    void plainTcpMigrationMovesTheVmAndItsVtpm() throws Exception {
        Host source = source("direct-plain");
        Host destination = destination(source);

        DirectQemuMigration.Result result = DirectQemuMigration.overTcp(source.vm(), destination.vm(),
                MigrationSettings.defaults(), TIMEOUT);

        assertFalse(result.tls());
        assertMoved(result, source, destination);
    }

    @Test
    void tlsMigrationMovesTheVmAndItsVtpm() throws Exception {
        Path credentials = temp.resolve("tls");
        DirectQemuMigration.writeTlsCredentials(credentials, Duration.ofHours(1));
        Host source = source("direct-tls");
        Host destination = destination(source);

        DirectQemuMigration.Result result = DirectQemuMigration.overTls(source.vm(), credentials, destination.vm(),
                credentials, MigrationSettings.defaults(), TIMEOUT);

        assertTrue(result.tls());
        assertMoved(result, source, destination);
    }

    @Test
    void aDestinationTrustingAnotherCaFailsTheTlsMigrationAndTheSourceKeepsRunning() throws Exception {
        Path sourceCredentials = temp.resolve("tls-source");
        Path destinationCredentials = temp.resolve("tls-destination");
        DirectQemuMigration.writeTlsCredentials(sourceCredentials, Duration.ofHours(1));
        DirectQemuMigration.writeTlsCredentials(destinationCredentials, Duration.ofHours(1));
        Host source = source("direct-wrong-ca");
        Host destination = destination(source);

        MigrationFailedException failure = assertThrows(MigrationFailedException.class,
                () -> DirectQemuMigration.overTls(source.vm(), sourceCredentials, destination.vm(),
                        destinationCredentials, MigrationSettings.defaults(), TIMEOUT));

        assertEquals(MigrationStatus.FAILED, failure.status(), failure.getMessage());
        assertTrue(failure.getMessage().contains("TLS migration of VM direct-wrong-ca"), failure.getMessage());
        assertTrue(failure.getMessage().toLowerCase().contains("certificate"),
                "the reason should name the certificate check: " + failure.getMessage());
        source.vm().awaitStatus(RunState.RUNNING, TIMEOUT);
        assertEquals(MigrationStatus.FAILED, source.vm().migrationStats().status());
    }

    @Test
    void missingCredentialsAreNamedBeforeQemuIsAsked() throws Exception {
        Path empty = Files.createDirectory(temp.resolve("no-credentials"));
        Host source = source("direct-no-creds");
        Host destination = destination(source);

        HypervisorException failure = assertThrows(HypervisorException.class,
                () -> DirectQemuMigration.overTls(source.vm(), empty, destination.vm(), empty,
                        MigrationSettings.defaults(), TIMEOUT));

        assertTrue(failure.getMessage().contains(empty.resolve("ca-cert.pem").toString()), failure.getMessage());
        assertEquals(RunState.RUNNING, source.vm().status());
        assertEquals(RunState.INMIGRATE, destination.vm().status());
    }

    @Test
    void credentialFilesHaveQemusNamesAndPrivateKeysAreOwnerOnly() throws Exception {
        Path credentials = temp.resolve("tls");
        DirectQemuMigration.writeTlsCredentials(credentials, Duration.ofDays(1));

        for (String file : new String[] {"ca-cert.pem", "server-cert.pem", "client-cert.pem"}) {
            assertTrue(Files.readString(credentials.resolve(file)).startsWith("-----BEGIN CERTIFICATE-----\n"),
                    file);
        }
        for (String key : new String[] {"server-key.pem", "client-key.pem"}) {
            assertTrue(Files.readString(credentials.resolve(key)).startsWith("-----BEGIN PRIVATE KEY-----\n"), key);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    credentials.resolve(key))), key);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
    }
}
