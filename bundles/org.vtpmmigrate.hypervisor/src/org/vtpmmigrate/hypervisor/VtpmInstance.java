package org.vtpmmigrate.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One vTPM: its state directory and migration epoch in a {@link VtpmStore}. At most one swtpm
 * process runs on an instance at a time.
 */
public interface VtpmInstance {
    String id();

    Path stateDirectory();

    /** The epoch recorded next to the state. */
    MigrationEpoch epoch() throws HypervisorException;

    /**
     * Moves the recorded epoch one step on and returns the new value. A source does this before each
     * migration attempt and offers the new epoch; the destination creates its instance with it
     * ({@link VtpmStore#createIncoming}), which refuses anything not newer than what it has seen. A
     * failed attempt leaves the source one epoch further on, which is harmless.
     */
    MigrationEpoch advanceEpoch() throws HypervisorException;

    /** The EK certificates (DER) written when the instance was manufactured; empty for incoming ones. */
    List<Path> ekCertificates() throws HypervisorException;

    /**
     * Starts swtpm for QEMU: a unix control socket, no data port (QEMU passes the data channel over
     * the control socket, and swtpm cannot serve both). QEMU initialises the TPM and the guest
     * firmware sends TPM2_Startup.
     */
    VtpmProcess startForQemu(Duration timeout) throws HypervisorException;

    /**
     * Starts swtpm for the host: TCP data and control ports on 127.0.0.1 (raw TPM commands, e.g.
     * {@code TPM2TOOLS_TCTI=}{@link VtpmProcess#tcti()}), initialised and TPM2_Startup(CLEAR) done.
     * Only while no VM uses the instance: a vTPM serving QEMU cannot serve a data port as well.
     */
    VtpmProcess startStandalone(Duration timeout) throws HypervisorException;

    /** The swtpm process running on this instance, if any. */
    Optional<VtpmProcess> runningProcess();
}
