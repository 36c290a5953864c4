package org.vtpmmigrate.management.internal;

/** The routes of management API v1, shared by the server's route table and the client. */
public final class ApiPaths {
    public static final PathTemplate HOST = new PathTemplate("/v1/host");
    public static final PathTemplate HOST_EVIDENCE = new PathTemplate("/v1/host/evidence");
    public static final PathTemplate VMS = new PathTemplate("/v1/vms");
    public static final PathTemplate VM = new PathTemplate("/v1/vms/{vmId}");
    public static final PathTemplate VM_START = new PathTemplate("/v1/vms/{vmId}/start");
    public static final PathTemplate VM_STOP = new PathTemplate("/v1/vms/{vmId}/stop");
    public static final PathTemplate PEERS = new PathTemplate("/v1/peers");
    public static final PathTemplate POLICIES = new PathTemplate("/v1/policies");
    public static final PathTemplate POLICY = new PathTemplate("/v1/policies/{policyId}");
    public static final PathTemplate MIGRATIONS = new PathTemplate("/v1/migrations");
    public static final PathTemplate MIGRATION = new PathTemplate("/v1/migrations/{migrationId}");
    public static final PathTemplate MIGRATION_CANCEL = new PathTemplate("/v1/migrations/{migrationId}/cancel");
    public static final PathTemplate AUDIT = new PathTemplate("/v1/audit");

    public static final String VM_ID = "vmId";
    public static final String POLICY_ID = "policyId";
    public static final String MIGRATION_ID = "migrationId";
    public static final String AUDIT_FROM = "from";
    public static final String AUDIT_LIMIT = "limit";

    public static final String JSON_MEDIA_TYPE = "application/json";

    private ApiPaths() {
    }
}
