package org.vtpmmigrate.management;

import org.vtpmmigrate.management.internal.Check;

/**
 * Asks the source agent to migrate one of its VMs: {@code POST /v1/migrations}, answered with
 * {@code 202 Accepted}, a {@code Location} header and a {@link MigrationStarted}.
 *
 * @param vmId the VM to move
 * @param destinationHostId the destination agent's host id; the source refuses a destination whose
 *        certificate does not carry this id
 * @param destinationAddress the destination's peer address {@code host:port}, or null to look it up in
 *        the inventory or by DNS-SD
 * @param policyId the policy both hosts and the VM must satisfy
 * @param policyDigest null, or the digest of the policy the caller reviewed; the request fails with
 *        {@link ErrorCode#CONFLICT} if the stored policy differs
 */
public record StartMigrationRequest(String vmId, String destinationHostId, String destinationAddress,
        String policyId, String policyDigest) {

    public StartMigrationRequest {
        Check.identifier("vmId", vmId);
        Check.identifier("destinationHostId", destinationHostId);
        if (destinationAddress != null) {
            Check.hostAndPort("destinationAddress", destinationAddress);
        }
        Check.identifier("policyId", policyId);
        if (policyDigest != null) {
            Check.sha256Hex("policyDigest", policyDigest);
        }
    }
}
