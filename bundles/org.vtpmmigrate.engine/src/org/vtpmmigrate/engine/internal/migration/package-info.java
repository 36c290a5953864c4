/**
 * The migration engine of one host, built from plain parts (no OSGi here):
 * {@link org.vtpmmigrate.engine.internal.migration.DefaultMigrationEngine#start} takes
 * {@link org.vtpmmigrate.engine.internal.migration.EngineSettings}, the platform TPM connector, the
 * vTPM store and a {@link org.vtpmmigrate.engine.internal.migration.PolicyCatalog}.
 *
 * <h2>Choices made here</h2>
 * <ul>
 * <li><b>Platform TPM.</b> One connection for the engine's life, every use serialised
 * ({@link org.vtpmmigrate.engine.internal.migration.HostPlatform}). The AK is an ECC P-256 primary key in
 * the endorsement hierarchy (the same key on every start); the EK is the RSA-2048 one swtpm_setup
 * certifies. A state lease admits one PCR-bound key at a time (swtpm has three object slots) and
 * holds VM launch measurements back between a destination's quote and its ECDH_ZGen.</li>
 * <li><b>Measurements.</b> PCRs 0-7 hold the boot; on a test host whose platform TPM is a fresh swtpm
 * the engine measures a simulated boot (EV_POST_CODE, EV_EFI_ACTION, EV_SEPARATOR) and writes the
 * crypto-agile TCG log itself. VM launches go into <b>PCR 15</b> (SHA-256 bank): an OS PCR that is not
 * resettable and that no firmware uses (newer systemd versions measure into it too; choose another
 * of 8-15 with {@code HostPlatform.Settings} on such hosts). Each launch measurement is an
 * EV_EVENT_TAG event whose digest is the hypervisor's extend digest, appended to the same log, so one
 * replay covers boot and VMs. A destination measures a VM into its own launch PCR once it committed,
 * so it can prove the VM when it moves on.</li>
 * <li><b>Evidence.</b> Quote over the policy's PCRs (0-7 and 15) with the whole log; the verifier
 * checks quote, replay, unlogged PCR changes and launch events before the policy sees the values.
 * The source's launch measurements must be launch events the quote covers and equal the destination's
 * own measurement of the VM's definition (both hosts must define the VM identically).</li>
 * <li><b>Commit.</b> AK_D signs the payload with TPM2_Sign after TPM2_Hash (the ticket a restricted key
 * needs); the payload starts with "VTPM", never with TPM_GENERATED_VALUE. The destination checks the
 * loaded VM is paused with QEMU and vTPM alive, commits, and resumes only at COMMITTED; a commit that
 * goes unanswered leaves the VM paused and the run IN_DOUBT.</li>
 * <li><b>Connections.</b> Every connection to the peer port starts with a preface naming its purpose
 * (migration or enrolment) and the caller's host id ({@link org.vtpmmigrate.engine.internal.migration.PeerWire});
 * a migration's source is judged with the AK enrolled under that id. The watchdog enforces the
 * protocol's deadlines; a run that fails sends its Abort from another thread and closes the link
 * after a short grace, so a stalled peer blocks nobody.</li>
 * </ul>
 */
package org.vtpmmigrate.engine.internal.migration;
