package org.vtpmmigrate.protocol;

import org.vtpmmigrate.protocol.wire.MigrationRequest;

/**
 * The destination engine's decision on an incoming request: is the policy known with this digest,
 * is the source host enrolled, is the vTPM epoch newer than any seen, is the migration id new.
 */
@FunctionalInterface
public interface MigrationAdmission {
    AdmissionDecision admit(MigrationRequest request);
}
