package org.vtpmmigrate.console.model;

/**
 * Whether the console can talk to an agent: the connection, never the host's integrity. An agent
 * that cannot be reached is not thereby untrusted, and one that answers is not thereby trusted.
 */
public enum Reachability {
    /** Not contacted yet (or the console has no identity to contact it with). */
    NOT_CONTACTED("not contacted"),
    /** A call is under way and none has completed yet. */
    CONTACTING("contacting..."),
    /** The last call was answered. */
    REACHABLE("reachable"),
    /** Nothing answered: refused, no route, timeout, connection broken. */
    UNREACHABLE("unreachable"),
    /** The TLS handshake failed: the agent's identity is not trusted, or the console's was refused. */
    IDENTITY_REFUSED("identity refused"),
    /** The agent answered with an error (not ready, internal fault, unknown version). */
    AGENT_ERROR("agent error");

    private final String label;

    Reachability(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
