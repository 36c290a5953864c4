package org.vtpmmigrate.engine.internal.host;

import java.util.HexFormat;
import java.util.Map;
import java.util.SortedSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.engine.internal.migration.ReferencePcrPolicy;

/**
 * Turns an administrator's policy (the attest policy model the console and CLI edit) into the
 * engine's migration policy: SHA-256 reference values, accepted boot event types and the VM launch
 * allowlist. Whatever the engine could never check is refused here, when the policy is stored,
 * rather than failing every migration later.
 */
final class PolicyTranslation {
    private PolicyTranslation() {
    }

    /** @throws IllegalArgumentException naming what the engine cannot enforce */
    static ReferencePcrPolicy toMigrationPolicy(Policy policy) {
        String id = policy.id();
        if (policy.ima().isPresent()) {
            throw new IllegalArgumentException("policy " + id + " has IMA rules, but hosts attest for a migration "
                    + "without an IMA log, so they could never be met; remove the \"ima\" section");
        }
        Policy.VmLaunchRules launch = policy.vmLaunch().orElseThrow(() -> new IllegalArgumentException("policy " + id
                + " has no \"vmLaunch\" section: a migration policy must name the VM launch measurements it allows"));
        ReferencePcrPolicy.Builder builder = ReferencePcrPolicy.builder(id);
        launch.pcr().ifPresent(builder::launchPcr);
        HexFormat hex = HexFormat.of();
        for (Map.Entry<Integer, Map<HashAlgorithm, SortedSet<String>>> pcr : policy.referenceValues().entrySet()) {
            SortedSet<String> values = pcr.getValue().get(HashAlgorithm.SHA256);
            if (values != null) {
                values.forEach(v -> builder.reference(pcr.getKey(), hex.parseHex(v)));
            }
        }
        // without event log rules every event type the engine knows is accepted
        SortedSet<Long> types = policy.eventLog().map(Policy.EventLogRules::acceptedTypes)
                .orElse(Policy.EventLogRules.knownTypes());
        for (long type : types) {
            EventType.fromValue(type).ifPresent(builder::acceptEventType);
        }
        launch.allowed().forEach((name, digests) -> digests.forEach(d -> builder.allowLaunch(name, hex.parseHex(d))));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (the engine quotes the SHA-256 bank)", e);
        }
    }
}
