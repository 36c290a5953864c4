package org.vtpmmigrate.engine.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vtpmmigrate.engine.Agent;

/** Gogo shell commands of the agent ({@code vtpm:info}). */
@Component(service = AgentCommands.class, property = {"osgi.command.scope=vtpm", "osgi.command.function=info"})
public class AgentCommands {
    @Reference
    private Agent agent;

    /** Prints the host id, the platform TPM and the versions. */
    public void info() {
        System.out.print(agent.info().toText());
    }
}
