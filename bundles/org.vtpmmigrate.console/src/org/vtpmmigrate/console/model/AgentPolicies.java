package org.vtpmmigrate.console.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.eclipse.core.runtime.jobs.Job;
import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.KeylimeRuntimePolicy;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyGenerator;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.PolicyDocument;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;

/**
 * Policies on agents and in files: reading an agent's stored policies, storing one on several agents,
 * making one from a host's evidence, importing a Keylime runtime policy's IMA rules.
 */
public final class AgentPolicies {
    /** Note shown with every generated policy: why it trusts no EK CA. */
    public static final String EK_NOTE = "EK certificates are not checked by this policy: the evidence agents return"
            + " lacks the EK public area that check needs.";

    /** What storing a policy on one agent came to: the stored summary, or why it failed. */
    public record StoreResult(String hostId, Optional<PolicySummary> stored, Optional<Failure> problem) {
    }

    /** A policy stored on an agent, parsed when it is a valid policy. */
    public record StoredPolicy(PolicyDocument document, Optional<Policy> policy, Optional<Failure> problem) {
    }

    private final ConsoleModel model;

    public AgentPolicies(ConsoleModel model) {
        this.model = model;
    }

    /** Reads every policy stored on {@code hostId}, with its text. */
    public Job fetch(String hostId, Consumer<List<StoredPolicy>> done, Consumer<Failure> failed) {
        Job job = model.job("Reading the policies of " + hostId, monitor -> {
            Optional<Agent> agent = model.agents().get(hostId);
            Optional<ManagementService> client = agent.flatMap(model::client);
            if (client.isEmpty()) {
                failed.accept(model.identity().problem().orElse(Failure.of("The policies were not read",
                        hostId + " is not listed.")));
                return;
            }
            try {
                List<StoredPolicy> out = new ArrayList<>();
                for (PolicySummary s : client.get().policies().policies()) {
                    PolicyDocument d = client.get().policy(s.id());
                    try {
                        out.add(new StoredPolicy(d, Optional.of(PolicyJson.parse(d.text(), d.id(), null)),
                                Optional.empty()));
                    } catch (PolicyFormatException e) {
                        out.add(new StoredPolicy(d, Optional.empty(), Optional.of(Failure.fromPolicy(
                                "Policy " + d.id() + " on " + hostId + " is not valid", e))));
                    }
                }
                done.accept(out);
            } catch (ManagementException e) {
                failed.accept(Failure.fromManagement("Reading policies", hostId, agent.get().address(), e));
            }
        });
        job.schedule();
        return job;
    }

    /** Stores {@code policy} (its pretty JSON form) on every agent named. */
    public Job store(Policy policy, Collection<String> hostIds, Consumer<List<StoreResult>> done) {
        String text = PolicyJson.write(policy);
        List<String> hosts = List.copyOf(hostIds);
        Job job = model.job("Storing policy " + policy.id(), monitor -> {
            Map<String, StoreResult> results = new LinkedHashMap<>();
            for (String hostId : hosts) {
                Optional<Agent> agent = model.agents().get(hostId);
                Optional<ManagementService> client = agent.flatMap(model::client);
                if (client.isEmpty()) {
                    results.put(hostId, new StoreResult(hostId, Optional.empty(), Optional.of(model.identity().problem()
                            .orElse(Failure.of("Policy not stored on " + hostId, hostId + " is not listed.")))));
                    continue;
                }
                try {
                    PolicySummary s = client.get().putPolicy(policy.id(), new PolicyUpload(text, null));
                    results.put(hostId, new StoreResult(hostId, Optional.of(s), Optional.empty()));
                } catch (ManagementException e) {
                    results.put(hostId, new StoreResult(hostId, Optional.empty(), Optional.of(
                            Failure.fromManagement("Storing policy " + policy.id(), hostId, agent.get().address(), e))));
                }
            }
            done.accept(List.copyOf(results.values()));
        });
        job.schedule();
        return job;
    }

    /**
     * A policy that trusts exactly the state {@code report} shows ("trust this host as it is now").
     *
     * @throws EvidenceRejectedException when the evidence does not verify (a policy made from it
     *         would enshrine what is wrong)
     */
    public static PolicyGenerator.Result fromEvidence(EvidenceReport report, String policyId)
            throws EvidenceRejectedException {
        PolicyGenerator.Result result = PolicyGenerator.fromEvidence(report.toEvidence(),
                PolicyGenerator.Options.of(policyId).withDescription("Made from the evidence of " + report.hostId()
                        + " received " + report.receivedAt()));
        List<String> notes = new ArrayList<>(result.notes());
        notes.add(EK_NOTE);
        return new PolicyGenerator.Result(result.policy(), notes);
    }

    /**
     * {@code policy} with its IMA rules replaced by those of a Keylime runtime policy file.
     *
     * @throws IllegalArgumentException when the result contradicts itself (IMA PCR not selected)
     */
    public static Policy withKeylimeRules(Policy policy, Path keylimeFile) throws IOException, PolicyFormatException {
        return policy.toBuilder().ima(KeylimeRuntimePolicy.read(keylimeFile)).build();
    }
}
