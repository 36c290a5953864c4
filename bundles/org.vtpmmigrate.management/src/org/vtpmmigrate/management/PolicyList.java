package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * The policies an agent holds: {@code GET /v1/policies}.
 *
 * @param policies every stored policy
 */
public record PolicyList(List<PolicySummary> policies) {
    public PolicyList {
        policies = Check.list("policies", policies, 0, 10_000);
    }
}
