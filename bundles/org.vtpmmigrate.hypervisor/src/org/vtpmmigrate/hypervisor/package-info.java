/**
 * Control of the two external processes behind a migratable VM: QEMU, driven over QMP, and the
 * swtpm vTPM serving it.
 *
 * <p>Entry points: {@link org.vtpmmigrate.hypervisor.VtpmStore#open(java.nio.file.Path)} for vTPM
 * instances, {@link org.vtpmmigrate.hypervisor.VirtualMachine#launch} and
 * {@link org.vtpmmigrate.hypervisor.VirtualMachine#launchIncoming} for VMs. The migration stream
 * never touches the network here: QEMU writes it to a unix socket this bundle owns and the caller
 * receives it as a byte channel ({@link org.vtpmmigrate.hypervisor.OutgoingMigration#data()}), so the
 * engine can put its own authenticated channel between the two hosts. The one exception is
 * {@link org.vtpmmigrate.hypervisor.DirectQemuMigration}, QEMU's own TCP or TLS migration over
 * 127.0.0.1, kept as the baseline the engine is measured against.
 */
package org.vtpmmigrate.hypervisor;
