package org.vtpmmigrate.management;

import org.vtpmmigrate.management.internal.Check;

/**
 * The answer to {@code POST /v1/migrations}: the run was admitted and goes on in the background.
 * Poll {@code GET /v1/migrations/{migrationId}} (also in the {@code Location} header) for progress.
 *
 * @param migrationId the id of the new migration run, unique on the source host
 */
public record MigrationStarted(String migrationId) {
    public MigrationStarted {
        Check.identifier("migrationId", migrationId);
    }
}
