package org.vtpmmigrate.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.vtpmmigrate.discovery.internal.AgentTable;
import org.vtpmmigrate.discovery.internal.JmdnsBrowser;

/**
 * The agents announced by DNS-SD ({@code _vtpm-migrate._tcp}) as seen from one address, kept up to date
 * while open. Malformed announcements are logged and left out; at most
 * 256 agents are kept.
 */
public final class DnsSdDirectory implements HostDirectory, AutoCloseable {
    private final AgentTable table;
    private final JmdnsBrowser browser;

    private DnsSdDirectory(AgentTable table, JmdnsBrowser browser) {
        this.table = table;
        this.browser = browser;
    }

    /** Starts browsing on the interface of the given address. */
    public static DnsSdDirectory open(InetAddress bindAddress) throws IOException {
        AgentTable table = new AgentTable();
        return new DnsSdDirectory(table, JmdnsBrowser.open(bindAddress, table));
    }

    /** The agents resolved now, with source {@code "dns-sd"}, sorted by host id. */
    @Override
    public List<HostEntry> hosts() {
        return table.agents().stream().map(AnnouncedAgent::hostEntry).toList();
    }

    /** The agents resolved now with everything they announced, sorted by host id. */
    public List<AnnouncedAgent> agents() {
        return table.agents();
    }

    public Optional<AnnouncedAgent> agent(String hostId) {
        return table.agent(hostId);
    }

    /**
     * Services left out because their announcement was malformed (the most recent 256): instance name to
     * the reason, e.g. to show why an expected agent is missing.
     */
    public Map<String, String> ignored() {
        return table.ignored();
    }

    /** Waits until the host is resolved; empty if it is not within the timeout. */
    public Optional<AnnouncedAgent> awaitHost(String hostId, Duration timeout) throws InterruptedException {
        return table.await(hostId, a -> true, timeout);
    }

    /** Waits until the host is resolved and the condition holds for it (e.g. a changed port). */
    public Optional<AnnouncedAgent> awaitHost(String hostId, Predicate<AnnouncedAgent> condition, Duration timeout)
            throws InterruptedException {
        return table.await(hostId, condition, timeout);
    }

    /** Waits until the host is no longer listed; false if it still is when the timeout passes. */
    public boolean awaitGone(String hostId, Duration timeout) throws InterruptedException {
        return table.awaitGone(hostId, timeout);
    }

    /**
     * Calls the listener after every change of the listed agents, on a DNS-SD thread: it must return
     * quickly and read {@link #hosts()} for the new state.
     */
    public void addChangeListener(Runnable listener) {
        table.addChangeListener(listener);
    }

    public void removeChangeListener(Runnable listener) {
        table.removeChangeListener(listener);
    }

    /** Stops browsing; the list stays as it was last seen. */
    @Override
    public void close() throws IOException {
        browser.close();
    }
}
