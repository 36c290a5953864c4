package org.vtpmmigrate.engine;

/** The engine agent of one host, as a service. */
public interface Agent {
    /** The agent's identity and runtime; asks the platform TPM each time, so a dead TPM shows. */
    AgentInfo info();

    /** Where the agent listens, and whether it wants to be announced. */
    AgentEndpoints endpoints();
}
