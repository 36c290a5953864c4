package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * Migration runs known to the agent, newest first: {@code GET /v1/migrations}.
 *
 * @param migrations runs in progress and recently finished ones
 */
public record MigrationList(List<MigrationStatus> migrations) {
    public MigrationList {
        migrations = Check.list("migrations", migrations, 0, 10_000);
    }
}
