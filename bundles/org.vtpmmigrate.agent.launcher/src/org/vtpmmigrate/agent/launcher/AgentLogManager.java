package org.vtpmmigrate.agent.launcher;

import java.util.logging.LogManager;

/**
 * Keeps logging alive while the agent shuts down. The JDK's LogManager closes every handler from its
 * own shutdown hook, which races the hook that stops the framework, so the agent's last words
 * ("stopped") would be lost. This manager resets only when the launcher says the agent is down.
 * Installed with {@code -Djava.util.logging.manager=org.vtpmmigrate.agent.launcher.AgentLogManager}.
 */
public final class AgentLogManager extends LogManager {
    private volatile boolean agentStopped;

    @Override
    public void reset() {
        if (agentStopped) {
            super.reset();
        }
    }

    /** Flushes and closes the handlers once the framework has stopped. */
    static void agentStopped() {
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof AgentLogManager) {
            ((AgentLogManager) manager).agentStopped = true;
        }
        manager.reset();
    }
}
