package org.vtpmmigrate.console.model;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The agents the console knows, by host id, merged from the inventory, DNS-SD and hosts added by
 * hand. Thread-safe: jobs update agents while the UI reads them; every change is announced to the
 * model's listeners (on the updating thread).
 */
public final class AgentRegistry {
    /** Where a source lists an agent. */
    public record Listing(URI baseUri, Set<AgentSource> sources) {
        public Listing {
            sources = EnumSet.copyOf(sources);
        }
    }

    private final Map<String, Agent> agents = new TreeMap<>();
    private final ModelEvents events;

    AgentRegistry(ModelEvents events) {
        this.events = events;
    }

    /**
     * Replaces the listings: new agents appear, known ones keep what was learnt of them (a changed
     * address resets nothing but the address), agents no source lists any more disappear.
     */
    void relist(Map<String, Listing> listings) {
        synchronized (agents) {
            agents.keySet().retainAll(listings.keySet());
            listings.forEach((id, listing) -> agents.merge(id, Agent.listed(id, listing.baseUri(), listing.sources()),
                    (known, fresh) -> known.withSources(listing.sources(), listing.baseUri())));
        }
        events.fire(ModelEvents.Topic.AGENTS, null);
    }

    public List<Agent> all() {
        synchronized (agents) {
            return new ArrayList<>(agents.values());
        }
    }

    public Optional<Agent> get(String hostId) {
        synchronized (agents) {
            return Optional.ofNullable(agents.get(hostId));
        }
    }

    /** Applies a change to one agent (if it is still listed) and announces it. */
    Optional<Agent> update(String hostId, UnaryOperator<Agent> change) {
        Agent updated;
        synchronized (agents) {
            updated = agents.computeIfPresent(hostId, (id, agent) -> change.apply(agent));
        }
        if (updated != null) {
            events.fire(ModelEvents.Topic.AGENT, hostId);
        }
        return Optional.ofNullable(updated);
    }
}
