package org.vtpmmigrate.management;

/**
 * The management API of one engine agent. The engine implements it; {@link ManagementServer} exposes an
 * implementation over HTTPS; {@link ManagementClient} implements it remotely. Each method lists its
 * route; all bodies are JSON of the DTO named.
 * <p>
 * Implementations report failures as {@link ManagementException} with a server {@link ErrorCode} and a
 * message naming what was wrong (the VM id, the field, the conflicting digest). Any other exception is a
 * fault: the server answers {@code 500 internal_error} without details and logs it.
 */
public interface ManagementService {

    /** The API version in every path: {@code /v1/...}. */
    String API_VERSION = "v1";

    /** {@code GET /v1/host}: identity, TPM, versions and enrolment of this host. */
    HostInfo hostInfo() throws ManagementException;

    /** {@code POST /v1/host/evidence}: a fresh quote over the requested PCRs, with logs and AK/EK material. */
    HostEvidence hostEvidence(EvidenceRequest request) throws ManagementException;

    /** {@code GET /v1/vms}: the VMs of this host. */
    VmList vms() throws ManagementException;

    /** {@code GET /v1/vms/{vmId}}: one VM; {@link ErrorCode#NOT_FOUND} if unknown. */
    VmDetails vm(String vmId) throws ManagementException;

    /**
     * {@code POST /v1/vms/{vmId}/start}: starts a VM defined on this host with its vTPM (launch measured
     * into the platform TPM first). {@link ErrorCode#CONFLICT} if it runs or is migrating.
     */
    VmDetails startVm(String vmId) throws ManagementException;

    /** {@code POST /v1/vms/{vmId}/stop}: stops a VM that runs here; its vTPM state stays stored. */
    VmDetails stopVm(String vmId) throws ManagementException;

    /** {@code GET /v1/peers}: the hosts this agent has enrolled. */
    PeerList peers() throws ManagementException;

    /**
     * {@code POST /v1/peers}: enrols the agent at a protocol address: its EK certificate must chain to a
     * trusted CA and its attestation key must activate a credential made for that EK. Refusals say why
     * ({@link ErrorCode#CONFLICT} for an untrusted or unproven peer, {@link ErrorCode#UNAVAILABLE} if it
     * cannot be reached).
     */
    PeerSummary enrolPeer(EnrolPeerRequest request) throws ManagementException;

    /** {@code GET /v1/policies}: the stored policies. */
    PolicyList policies() throws ManagementException;

    /** {@code GET /v1/policies/{policyId}}: one policy with its text; {@link ErrorCode#NOT_FOUND} if unknown. */
    PolicyDocument policy(String policyId) throws ManagementException;

    /**
     * {@code PUT /v1/policies/{policyId}}: stores a policy. {@link ErrorCode#INVALID_ARGUMENT} if it is not
     * a valid policy, {@link ErrorCode#CONFLICT} if {@code expectedDigest} does not match.
     */
    PolicySummary putPolicy(String policyId, PolicyUpload upload) throws ManagementException;

    /**
     * {@code POST /v1/migrations} (202): admits a migration of a VM of this host and starts it in the
     * background. Refusals (unknown VM, unknown destination, policy missing or changed, VM busy) come
     * back here, before anything is touched.
     */
    MigrationStarted startMigration(StartMigrationRequest request) throws ManagementException;

    /** {@code GET /v1/migrations}: runs in progress and recently finished, newest first. */
    MigrationList migrations() throws ManagementException;

    /** {@code GET /v1/migrations/{migrationId}}: progress, verdicts and result of one run. */
    MigrationStatus migration(String migrationId) throws ManagementException;

    /**
     * {@code POST /v1/migrations/{migrationId}/cancel}: ends a run that has not committed (the source
     * resumes its VM, the destination discards what it received) and returns its status; a run that
     * has already ended is returned as it is.
     */
    MigrationStatus cancelMigration(String migrationId) throws ManagementException;

    /**
     * {@code GET /v1/audit?from=S&limit=N}: attestation log records from sequence {@code from}, at most
     * {@code limit} (1..{@value AuditPage#MAX_LIMIT}).
     */
    AuditPage audit(long from, int limit) throws ManagementException;
}
