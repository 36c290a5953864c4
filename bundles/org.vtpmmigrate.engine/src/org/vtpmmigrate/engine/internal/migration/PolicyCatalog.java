package org.vtpmmigrate.engine.internal.migration;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The migration policies a host knows, by id. Thread-safe. */
public final class PolicyCatalog {
    private final Map<String, MigrationPolicy> policies = new ConcurrentHashMap<>();

    /** Adds a policy, replacing one with the same id. */
    public void put(MigrationPolicy policy) {
        policies.put(policy.id(), Objects.requireNonNull(policy, "policy"));
    }

    public void remove(String id) {
        policies.remove(id);
    }

    public Optional<MigrationPolicy> find(String id) {
        return Optional.ofNullable(policies.get(id));
    }

    public List<MigrationPolicy> all() {
        return policies.values().stream().sorted(Comparator.comparing(MigrationPolicy::id)).toList();
    }
}
