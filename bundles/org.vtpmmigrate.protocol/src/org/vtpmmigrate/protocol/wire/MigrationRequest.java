package org.vtpmmigrate.protocol.wire;

import java.util.List;

/**
 * First message, source to destination: move VM {@code vmId} under policy {@code policyId} (whose
 * digest both hosts must agree on), vTPM migration epoch, and the cipher suites the source offers
 * in order of preference.
 */
public record MigrationRequest(Bytes migrationId, String vmId, String policyId, Bytes policyDigest, long vtpmEpoch,
        List<Integer> offeredSuites) implements Message {
    public MigrationRequest {
        Require.length("migrationId", migrationId, Limits.MIGRATION_ID_LENGTH);
        Require.name("vmId", vmId);
        Require.name("policyId", policyId);
        Require.length("policyDigest", policyDigest, 32, 64);
        Require.nonNegative("vtpmEpoch", vtpmEpoch);
        offeredSuites = Require.suiteIds("offeredSuites", offeredSuites);
    }

    @Override
    public MessageType type() {
        return MessageType.MIGRATION_REQUEST;
    }
}
