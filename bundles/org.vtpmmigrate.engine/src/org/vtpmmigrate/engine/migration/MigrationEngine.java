package org.vtpmmigrate.engine.migration;

import java.util.List;
import java.util.Optional;
import org.vtpmmigrate.hypervisor.VmConfig;

/**
 * The migration engine of one host: its VMs with their vTPMs, its enrolled peers, and the
 * migrations it runs as source and as destination (it listens for peers from construction until
 * {@link #close()}). Thread-safe.
 *
 * <p>A VM's id is its {@link VmConfig#name()} and also the id of its vTPM instance. A destination
 * accepts only VMs it knows ({@link #define}) with the same definition as the source, because QEMU
 * needs the same guest configuration on both ends and the destination checks the source's launch
 * measurements against its own measurement of that definition.
 */
public interface MigrationEngine extends AutoCloseable {
    /** Who this host is to its peers. */
    HostIdentity identity();

    /**
     * Makes a VM known here, so it may arrive by migration. Defining the same configuration again
     * does nothing.
     *
     * @throws VmOperationException CONFLICTING_DEFINITION if another definition has that id
     */
    VmStatus define(VmConfig config) throws VmOperationException;

    /**
     * Starts a VM here with its vTPM: defines it, manufactures its vTPM instance unless one is
     * stored here, measures the launch inputs into the platform TPM's launch PCR (and the host's
     * event log), then launches QEMU.
     *
     * @throws VmOperationException if it runs already, is migrating, or QEMU, swtpm or the
     *     platform TPM fail
     */
    VmStatus start(VmConfig config) throws VmOperationException;

    /**
     * Stops QEMU and the vTPM; the vTPM state stays stored here.
     *
     * @throws VmOperationException if the VM does not run here or is migrating
     */
    VmStatus stop(String vmId) throws VmOperationException;

    /** Every VM known here, sorted by id. */
    List<VmStatus> vms();

    Optional<VmStatus> vm(String vmId);

    /**
     * Enrols the peer engine at {@code address}: validates its EK certificate against the trusted
     * CAs and proves its attestation key with a credential only its TPM can activate. Enrolling
     * again replaces the earlier record. Enrolments are kept across restarts; each EK certificate
     * is validated again against the trusted CAs when the engine starts.
     */
    EnrolledPeer enrol(PeerAddress address) throws EnrolmentException;

    /** The enrolled peers. */
    List<EnrolledPeer> peers();

    /**
     * Forgets an enrolled peer: its evidence is no longer accepted and no migration to it starts.
     *
     * @return whether it was enrolled
     */
    boolean unenrol(String hostId);

    /**
     * Starts migrating a VM that runs here to an enrolled peer under a policy both hosts know.
     * Returns at once; the handle reports progress and the result.
     *
     * @throws MigrationRefusedException if the VM, the policy or the peer is not known here; the VM
     *     is untouched
     */
    MigrationHandle migrate(String vmId, PeerAddress peer, String policyId) throws MigrationRefusedException;

    /** Recent runs in both roles, oldest first (a bounded history). */
    List<MigrationHandle> migrations();

    void addListener(MigrationListener listener);

    void removeListener(MigrationListener listener);

    /**
     * Stops listening, ends the runs in progress (a source resumes its VM, a destination discards
     * what it has not committed), stops the VMs this engine runs (their vTPM state stays) and
     * releases the platform TPM.
     */
    @Override
    void close();
}
