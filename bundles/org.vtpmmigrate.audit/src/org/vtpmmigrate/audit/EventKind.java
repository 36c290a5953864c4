package org.vtpmmigrate.audit;

/**
 * What an audit record reports. The names are written into every log line and signed, so they
 * never change; new kinds may be added.
 */
public enum EventKind {
    /** The first record of every log: the host and its attestation key (see {@link LogHeader}). */
    LOG_OPENED(false),
    /** The writer found an incomplete last line after a crash, saved it aside and cut it off. */
    LOG_RECOVERED(false),
    /** A migration was asked for (phase 1). */
    MIGRATION_REQUESTED(true),
    /** This host judged the peer's (or the VM's) evidence; carries the verdict and its reasons (phase 2). */
    ATTESTATION_VERDICT(true),
    /** The PCR-bound key was certified and key confirmation succeeded (phase 3). */
    KEY_ESTABLISHED(true),
    /** Pre-copy rounds so far (phase 4). */
    TRANSFER_PROGRESS(true),
    /** VM stream and vTPM state completely sent or received (phase 4). */
    TRANSFER_COMPLETE(true),
    /** The destination sent its AK-signed commit (phase 5). */
    COMMIT_SENT(true),
    /** The source received and verified the commit (phase 5). */
    COMMIT_RECEIVED(true),
    /** The run ended without a commit; reasons say why. */
    MIGRATION_ABORTED(true),
    /** After an abort the source VM runs on, unchanged. */
    SOURCE_VM_RESUMED(true),
    /** After a valid commit the source deleted its vTPM state (anti-cloning). */
    VTPM_STATE_DELETED(true),
    /** After an abort the destination discarded what it had received. */
    INCOMING_STATE_DISCARDED(true);

    private final boolean migrationStep;

    EventKind(boolean migrationStep) {
        this.migrationStep = migrationStep;
    }

    /** Whether records of this kind belong to one migration (and so name it and this host's role). */
    public boolean isMigrationStep() {
        return migrationStep;
    }
}
