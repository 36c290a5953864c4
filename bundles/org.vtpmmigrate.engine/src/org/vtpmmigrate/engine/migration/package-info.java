/**
 * The migration service of one host: a {@link org.vtpmmigrate.engine.migration.MigrationEngine} starts
 * VMs with their vTPM (measuring each launch into the platform TPM), enrols peer hosts (EK
 * certificate chain and credential activation), and moves a running VM with its vTPM to an enrolled
 * peer only after both hosts and the VM passed attestation under a migration policy.
 *
 * <h2>Progress and verdicts are kept apart</h2>
 * A {@link org.vtpmmigrate.engine.migration.MigrationHandle} reports progress
 * ({@link org.vtpmmigrate.engine.migration.MigrationProgress}: phase, bytes, pre-copy rounds) while a
 * run goes on, and a {@link org.vtpmmigrate.engine.migration.MigrationResult} once it has ended:
 * the outcome, the failure with its typed reason, one
 * {@link org.vtpmmigrate.engine.migration.PartyVerdict} per party (source host, destination host,
 * VM) and the {@link org.vtpmmigrate.engine.migration.MigrationTimings}. Only
 * {@link org.vtpmmigrate.engine.migration.MigrationResult.Status#COMMITTED} means the VM moved.
 *
 * <h2>Observers</h2>
 * {@link org.vtpmmigrate.engine.migration.MigrationListener}s (the audit log, the management API)
 * receive {@link org.vtpmmigrate.engine.migration.MigrationEvent}s for both roles, in order, on one
 * notification thread per engine.
 */
package org.vtpmmigrate.engine.migration;
