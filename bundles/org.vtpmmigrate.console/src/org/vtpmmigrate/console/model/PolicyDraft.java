package org.vtpmmigrate.console.model;

import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyJson;

/**
 * A policy being edited: the JSON text as typed, the last policy that text (or the form) made valid,
 * and why the current text is not valid, if it is not. Immutable; the editor makes a new draft on
 * every keystroke, so validation runs as the administrator types.
 */
public final class PolicyDraft {
    /** The name parse errors cite. */
    public static final String SOURCE = "policy";

    private final String text;
    private final Policy policy;
    private final Failure problem;

    private PolicyDraft(String text, Policy policy, Failure problem) {
        this.text = text;
        this.policy = policy;
        this.problem = problem;
    }

    /** A draft of a valid policy, in its stable pretty form. */
    public static PolicyDraft of(Policy policy) {
        return new PolicyDraft(PolicyJson.write(policy), policy, null);
    }

    /** The text as typed; the draft keeps the last valid policy when this text is not one. */
    public PolicyDraft withText(String newText) {
        Objects.requireNonNull(newText, "newText");
        try {
            Policy parsed = PolicyJson.parse(newText, SOURCE, null);
            return new PolicyDraft(newText, parsed, null);
        } catch (PolicyFormatException e) {
            return new PolicyDraft(newText, policy, Failure.fromPolicy("The policy text is not valid", e));
        } catch (IllegalArgumentException e) {
            return new PolicyDraft(newText, policy, new Failure("The policy text is not valid",
                    "The policy contradicts itself: " + e.getMessage(), Failure.stackTrace(e)));
        }
    }

    /** A policy the form built: replaces the text with its pretty form. */
    public PolicyDraft withPolicy(Policy newPolicy) {
        return of(newPolicy);
    }

    public String text() {
        return text;
    }

    /** The last valid policy (of the current text when {@link #problem()} is empty). */
    public Optional<Policy> policy() {
        return Optional.ofNullable(policy);
    }

    /** Why the current text is not a valid policy. */
    public Optional<Failure> problem() {
        return Optional.ofNullable(problem);
    }

    public boolean valid() {
        return problem == null && policy != null;
    }
}
