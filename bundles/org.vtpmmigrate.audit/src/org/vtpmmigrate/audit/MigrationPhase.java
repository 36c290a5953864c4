package org.vtpmmigrate.audit;

/** The protocol phases whose durations the log keeps (PROTOCOL.md phases 1 to 5). */
public enum MigrationPhase {
    REQUEST, ATTESTATION, KEY_ESTABLISHMENT, TRANSFER, COMMIT, CLEANUP
}
