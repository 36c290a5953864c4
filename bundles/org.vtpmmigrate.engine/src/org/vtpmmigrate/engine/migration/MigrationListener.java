package org.vtpmmigrate.engine.migration;

/**
 * Observes the runs of one engine, in both roles (the audit log, the management API). Events of
 * one engine arrive in order on one notification thread; a listener that throws is logged and
 * keeps receiving events. Return quickly: a slow listener delays the others, never a migration.
 */
@FunctionalInterface
public interface MigrationListener {
    void onEvent(MigrationEvent event);
}
