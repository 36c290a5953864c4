package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.vtpmmigrate.hypervisor.internal.SwtpmStore;

/**
 * The vTPM instances of one host, each a directory under a root only this store writes:
 *
 * <pre>
 * root/ca/                     swtpm_setup and swtpm-localca configuration, the local EK CA
 * root/instances/ID/instance.json   instance id + migration epoch
 * root/instances/ID/state/     swtpm's state (tpm2-00.permall: seeds, NV, hierarchies)
 * root/instances/ID/certs/     EK certificates (DER) written when the instance was manufactured
 * root/instances/ID/run/       control socket and swtpm log while running
 * root/retired/ID.json         highest epoch seen for an instance no longer here
 * </pre>
 *
 * <p>What travels in a migration: QEMU's tpm-emulator backend reads the vTPM's permanent and
 * volatile state blobs out of the source swtpm when the guest stops for the final copy, carries
 * them inside the migration stream, and writes them into the destination swtpm (which may start
 * from an empty state directory) before the guest continues; that swtpm then stores the permanent
 * state in its own directory. The source's directory is left behind unchanged: a clone until
 * {@link #secureDelete(VtpmInstance)} removes it.
 *
 * <p>All tools run as the current user; the store needs no root rights and never touches
 * swtpm's system-wide configuration or CA in /etc and /var/lib.
 */
public interface VtpmStore {
    /** Opens (creating if needed) the store at {@code root}. */
    static VtpmStore open(Path root) throws HypervisorException {
        return SwtpmStore.open(root);
    }

    Path root();

    /**
     * Manufactures a new vTPM with {@code swtpm_setup}: EK (RSA and ECC), EK and platform
     * certificates from this store's local CA, SHA-256 PCR bank; epoch 0.
     *
     * @throws HypervisorException the id exists or was used on this host before, or setup failed
     */
    VtpmInstance create(String instanceId, Duration timeout) throws HypervisorException;

    /**
     * Makes an empty instance to receive a migrated vTPM: its state arrives inside QEMU's migration
     * stream.
     *
     * @throws StaleEpochException {@code epoch} is not newer than one already seen for the instance
     * @throws HypervisorException the instance is already present here
     */
    VtpmInstance createIncoming(MigrationEpoch epoch) throws HypervisorException;

    /** An existing instance. */
    VtpmInstance open(String instanceId) throws HypervisorException;

    /** The ids of the instances present, sorted. */
    List<String> instanceIds() throws HypervisorException;

    /** The highest epoch this host has recorded for an instance, present or retired. */
    OptionalLong highestEpochSeen(String instanceId) throws HypervisorException;

    /**
     * Records the instance's epoch as retired, then overwrites every file of the instance with random
     * bytes (fsync) and deletes it. Refuses a running instance, symbolic links, hard-linked files and
     * anything outside the store.
     *
     * <p>Overwriting in place is best-effort: on SSDs (wear levelling), copy-on-write or journaling
     * filesystems (btrfs, ZFS, data=journal) and under snapshots or backups, old blocks may survive.
     */
    void secureDelete(VtpmInstance instance) throws HypervisorException;

    /**
     * The local CA's certificates (PEM: root first, then the issuer of EK certificates) that EK
     * certificates of this store's instances chain to; empty until the first instance is created.
     */
    List<Path> caCertificates();
}
