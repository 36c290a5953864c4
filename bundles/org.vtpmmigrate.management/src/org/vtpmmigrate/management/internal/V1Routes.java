package org.vtpmmigrate.management.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.EnrolPeerRequest;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.MigrationStarted;
import org.vtpmmigrate.management.PolicyUpload;
import org.vtpmmigrate.management.Role;
import org.vtpmmigrate.management.StartMigrationRequest;

/**
 * The route table of management API v1. Agents may read each other's host information and evidence
 * (to check a peer before a migration); everything else is for administrators.
 */
public final class V1Routes {
    private static final Set<Role> ANYONE = Set.of(Role.ADMINISTRATOR, Role.AGENT);
    private static final Set<Role> ADMINISTRATORS = Set.of(Role.ADMINISTRATOR);

    public static final List<Route> ROUTES = List.of(
            get(ApiPaths.HOST, ANYONE, (request, service) -> Reply.ok(service.hostInfo())),
            new Route("POST", ApiPaths.HOST_EVIDENCE, ANYONE, EvidenceRequest.class, Set.of(),
                    (request, service) -> Reply.ok(service.hostEvidence(request.body(EvidenceRequest.class)))),
            get(ApiPaths.VMS, ADMINISTRATORS, (request, service) -> Reply.ok(service.vms())),
            get(ApiPaths.VM, ADMINISTRATORS,
                    (request, service) -> Reply.ok(service.vm(request.pathId(ApiPaths.VM_ID)))),
            post(ApiPaths.VM_START, (request, service) -> Reply.ok(service.startVm(request.pathId(ApiPaths.VM_ID)))),
            post(ApiPaths.VM_STOP, (request, service) -> Reply.ok(service.stopVm(request.pathId(ApiPaths.VM_ID)))),
            get(ApiPaths.PEERS, ADMINISTRATORS, (request, service) -> Reply.ok(service.peers())),
            new Route("POST", ApiPaths.PEERS, ADMINISTRATORS, EnrolPeerRequest.class, Set.of(),
                    (request, service) -> Reply.ok(service.enrolPeer(request.body(EnrolPeerRequest.class)))),
            get(ApiPaths.POLICIES, ADMINISTRATORS, (request, service) -> Reply.ok(service.policies())),
            get(ApiPaths.POLICY, ADMINISTRATORS,
                    (request, service) -> Reply.ok(service.policy(request.pathId(ApiPaths.POLICY_ID)))),
            new Route("PUT", ApiPaths.POLICY, ADMINISTRATORS, PolicyUpload.class, Set.of(),
                    (request, service) -> Reply.ok(service.putPolicy(request.pathId(ApiPaths.POLICY_ID),
                            request.body(PolicyUpload.class)))),
            new Route("POST", ApiPaths.MIGRATIONS, ADMINISTRATORS, StartMigrationRequest.class, Set.of(),
                    V1Routes::startMigration),
            get(ApiPaths.MIGRATIONS, ADMINISTRATORS, (request, service) -> Reply.ok(service.migrations())),
            get(ApiPaths.MIGRATION, ADMINISTRATORS,
                    (request, service) -> Reply.ok(service.migration(request.pathId(ApiPaths.MIGRATION_ID)))),
            post(ApiPaths.MIGRATION_CANCEL,
                    (request, service) -> Reply.ok(service.cancelMigration(request.pathId(ApiPaths.MIGRATION_ID)))),
            new Route("GET", ApiPaths.AUDIT, ADMINISTRATORS, null, Set.of(ApiPaths.AUDIT_FROM, ApiPaths.AUDIT_LIMIT),
                    (request, service) -> Reply.ok(service.audit(
                            request.queryLong(ApiPaths.AUDIT_FROM, 0, 0, Long.MAX_VALUE),
                            (int) request.queryLong(ApiPaths.AUDIT_LIMIT, AuditPage.DEFAULT_LIMIT, 1,
                                    AuditPage.MAX_LIMIT)))));

    private V1Routes() {
    }

    private static Route get(PathTemplate path, Set<Role> roles, Route.Action action) {
        return new Route("GET", path, roles, null, Set.of(), action);
    }

    /** An administrator's action without a body. */
    private static Route post(PathTemplate path, Route.Action action) {
        return new Route("POST", path, ADMINISTRATORS, null, Set.of(), action);
    }

    /** 202 Accepted with the status resource in Location: the run continues after the answer. */
    private static Reply startMigration(Route.ApiRequest request, ManagementService service)
            throws ManagementException {
        MigrationStarted started = service.startMigration(request.body(StartMigrationRequest.class));
        if (started == null) {
            throw new IllegalStateException("the management service returned null");
        }
        return new Reply(202, started, Map.of("Location", ApiPaths.MIGRATION.expand(started.migrationId())));
    }
}
