package org.vtpmmigrate.console.model;

/** How the console learnt of an agent. */
public enum AgentSource {
    /** Listed in the inventory file. */
    INVENTORY("inventory"),
    /** Announced by DNS-SD. */
    DISCOVERY("DNS-SD"),
    /** Added by the administrator. */
    ADDED("added by hand"),
    /** Started by the console itself (local demo hosts); never kept in the settings. */
    LOCAL("this console");

    private final String label;

    AgentSource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
