package org.vtpmmigrate.management;

import java.net.URI;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.vtpmmigrate.management.internal.ApiPaths;
import org.vtpmmigrate.management.internal.HttpTransport;

/**
 * {@link ManagementService} of a remote agent over HTTPS with mutual TLS. Every method throws
 * {@link ManagementException}: with the agent's error code and message when it answered, or a client-side
 * code ({@link ErrorCode#UNREACHABLE}, {@link ErrorCode#TLS_FAILED}, {@link ErrorCode#TIMEOUT},
 * {@link ErrorCode#CONNECTION_LOST}, {@link ErrorCode#BAD_RESPONSE}) when it did not; a console shows
 * "unreachable" apart from "untrusted" and from the agent's refusals. Thread-safe; connections are reused.
 */
public final class ManagementClient implements ManagementService {
    private final URI baseUri;
    private final HttpTransport transport;

    ManagementClient(URI baseUri, SSLContext sslContext, ClientSettings settings) {
        this.baseUri = normalise(baseUri);
        this.transport = new HttpTransport(this.baseUri, sslContext, Objects.requireNonNull(settings, "settings"));
    }

    /**
     * A client of the agent at {@code baseUri} ({@code https://host:port}); the agent's certificate must
     * be issued by the same administrator CA and name {@code host} among its DNS names or IP addresses.
     */
    public static ManagementClient create(URI baseUri, TlsCredentials credentials, ClientSettings settings) {
        return new ManagementClient(baseUri, credentials.sslContext(), settings);
    }

    public URI baseUri() {
        return baseUri;
    }

    private static URI normalise(URI uri) {
        Objects.requireNonNull(uri, "baseUri");
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("base URI '" + uri + "' must be https://host:port with nothing more");
        }
        return URI.create("https://" + uri.getRawAuthority());
    }

    @Override
    public HostInfo hostInfo() throws ManagementException {
        return transport.exchange("GET", ApiPaths.HOST.expand(), null, 200, HostInfo.class);
    }

    @Override
    public HostEvidence hostEvidence(EvidenceRequest request) throws ManagementException {
        Objects.requireNonNull(request, "request");
        return transport.exchange("POST", ApiPaths.HOST_EVIDENCE.expand(), request, 200, HostEvidence.class);
    }

    @Override
    public VmList vms() throws ManagementException {
        return transport.exchange("GET", ApiPaths.VMS.expand(), null, 200, VmList.class);
    }

    @Override
    public VmDetails vm(String vmId) throws ManagementException {
        return transport.exchange("GET", ApiPaths.VM.expand(Objects.requireNonNull(vmId, "vmId")), null, 200,
                VmDetails.class);
    }

    @Override
    public VmDetails startVm(String vmId) throws ManagementException {
        return transport.exchange("POST", ApiPaths.VM_START.expand(Objects.requireNonNull(vmId, "vmId")), null, 200,
                VmDetails.class);
    }

    @Override
    public VmDetails stopVm(String vmId) throws ManagementException {
        return transport.exchange("POST", ApiPaths.VM_STOP.expand(Objects.requireNonNull(vmId, "vmId")), null, 200,
                VmDetails.class);
    }

    @Override
    public PeerList peers() throws ManagementException {
        return transport.exchange("GET", ApiPaths.PEERS.expand(), null, 200, PeerList.class);
    }

    @Override
    public PeerSummary enrolPeer(EnrolPeerRequest request) throws ManagementException {
        Objects.requireNonNull(request, "request");
        return transport.exchange("POST", ApiPaths.PEERS.expand(), request, 200, PeerSummary.class);
    }

    @Override
    public PolicyList policies() throws ManagementException {
        return transport.exchange("GET", ApiPaths.POLICIES.expand(), null, 200, PolicyList.class);
    }

    @Override
    public PolicyDocument policy(String policyId) throws ManagementException {
        return transport.exchange("GET", ApiPaths.POLICY.expand(Objects.requireNonNull(policyId, "policyId")), null,
                200, PolicyDocument.class);
    }

    @Override
    public PolicySummary putPolicy(String policyId, PolicyUpload upload) throws ManagementException {
        Objects.requireNonNull(upload, "upload");
        return transport.exchange("PUT", ApiPaths.POLICY.expand(Objects.requireNonNull(policyId, "policyId")), upload,
                200, PolicySummary.class);
    }

    @Override
    public MigrationStarted startMigration(StartMigrationRequest request) throws ManagementException {
        Objects.requireNonNull(request, "request");
        return transport.exchange("POST", ApiPaths.MIGRATIONS.expand(), request, 202, MigrationStarted.class);
    }

    @Override
    public MigrationList migrations() throws ManagementException {
        return transport.exchange("GET", ApiPaths.MIGRATIONS.expand(), null, 200, MigrationList.class);
    }

    @Override
    public MigrationStatus migration(String migrationId) throws ManagementException {
        return transport.exchange("GET",
                ApiPaths.MIGRATION.expand(Objects.requireNonNull(migrationId, "migrationId")), null, 200,
                MigrationStatus.class);
    }

    @Override
    public MigrationStatus cancelMigration(String migrationId) throws ManagementException {
        return transport.exchange("POST",
                ApiPaths.MIGRATION_CANCEL.expand(Objects.requireNonNull(migrationId, "migrationId")), null, 200,
                MigrationStatus.class);
    }

    @Override
    public AuditPage audit(long from, int limit) throws ManagementException {
        return transport.exchange("GET", ApiPaths.AUDIT.expand() + "?" + ApiPaths.AUDIT_FROM + "=" + from + "&"
                + ApiPaths.AUDIT_LIMIT + "=" + limit, null, 200, AuditPage.class);
    }
}
