package org.vtpmmigrate.discovery.internal;

import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.vtpmmigrate.discovery.AgentAnnouncement;
import org.vtpmmigrate.discovery.AnnouncedAgent;

/**
 * The agents a browser has resolved, keyed by DNS-SD instance name. Bounded; malformed announcements are
 * logged and left out. Thread-safe: fed from the DNS-SD library's threads, read by anyone.
 */
public final class AgentTable {
    /** Most agents kept; more would only come from a flood on the link. */
    public static final int MAX_AGENTS = 256;
    private static final System.Logger LOG = System.getLogger(AgentTable.class.getName());

    // DNS names compare case-insensitively, so the key is the lower-case instance name
    private final Map<String, AnnouncedAgent> byInstance = new HashMap<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    // why services were left out, so an operator can see why an agent is missing; bounded like the agents
    private final Map<String, Rejection> rejections = new LinkedHashMap<>();

    private record Rejection(String instanceName, String reason) {
    }

    /**
     * Records a resolved (or re-resolved) service. A malformed announcement is logged and recorded as
     * ignored, and drops the instance's earlier entry: what it announces now is no longer valid.
     *
     * @return whether the service is now listed
     */
    public boolean resolved(String instanceName, int srvPort, byte[] txt, List<? extends InetAddress> addresses) {
        if (TxtRecord.isEmpty(txt)) {
            // JmDNS reports services before their TXT arrives: not yet an announcement, so nothing to judge
            LOG.log(Level.DEBUG, "DNS-SD service ''{0}'' has no TXT data yet", instanceName);
            return false;
        }
        String key = key(instanceName);
        AnnouncedAgent agent;
        try {
            agent = new AnnouncedAgent(AnnouncementTxt.decode(instanceName, srvPort, txt),
                    usableAddress(addresses));
        } catch (MalformedAnnouncementException e) {
            reject(instanceName, e.getMessage());
            return false;
        }
        boolean changed;
        synchronized (this) {
            if (!byInstance.containsKey(key) && byInstance.size() >= MAX_AGENTS) {
                LOG.log(Level.WARNING, "DNS-SD service ''{0}'' ignored: already {1} agents listed",
                        instanceName, MAX_AGENTS);
                return false;
            }
            rejections.remove(key);
            changed = !agent.equals(byInstance.put(key, agent));
            if (changed) {
                notifyAll();
            }
        }
        if (changed) {
            fireChange();
        }
        return true;
    }

    /** Forgets a service that was removed. */
    public void removed(String instanceName) {
        boolean changed;
        synchronized (this) {
            rejections.remove(key(instanceName));
            changed = byInstance.remove(key(instanceName)) != null;
            if (changed) {
                notifyAll();
            }
        }
        if (changed) {
            fireChange();
        }
    }

    private void reject(String instanceName, String reason) {
        boolean changed;
        synchronized (this) {
            String key = key(instanceName);
            Rejection earlier = rejections.remove(key);
            if (earlier == null || !earlier.reason().equals(reason)) {
                // services are re-announced periodically: log a reason once, not at every repetition
                LOG.log(Level.WARNING, "DNS-SD service ''{0}'' ignored: {1}", instanceName, reason);
            }
            if (rejections.size() >= MAX_AGENTS) {
                rejections.remove(rejections.keySet().iterator().next());
            }
            rejections.put(key, new Rejection(instanceName, reason));
            changed = byInstance.remove(key) != null;
            notifyAll();
        }
        if (changed) {
            fireChange();
        }
    }

    /** Services left out because their announcement was malformed: instance name to reason, oldest first. */
    public synchronized Map<String, String> ignored() {
        Map<String, String> ignored = new LinkedHashMap<>();
        rejections.values().forEach(r -> ignored.put(r.instanceName(), r.reason()));
        return Collections.unmodifiableMap(ignored);
    }

    /** Waits until the service is recorded as ignored; its reason, or empty after the timeout. */
    public Optional<String> awaitIgnored(String instanceName, Duration timeout) throws InterruptedException {
        return awaitValue(() -> Optional.ofNullable(rejections.get(key(instanceName))).map(Rejection::reason),
                timeout);
    }

    /** Whether another service can be listed; lets a browser skip resolving services it would drop. */
    public synchronized boolean hasRoomFor(String instanceName) {
        return byInstance.size() < MAX_AGENTS || byInstance.containsKey(key(instanceName));
    }

    /** The agents listed now, sorted by host id. */
    public synchronized List<AnnouncedAgent> agents() {
        List<AnnouncedAgent> agents = new ArrayList<>(byInstance.values());
        agents.sort(Comparator.comparing(AnnouncedAgent::hostId));
        return List.copyOf(agents);
    }

    public synchronized Optional<AnnouncedAgent> agent(String hostId) {
        return Optional.ofNullable(hostId == null ? null : byInstance.get(key(hostId)))
                .filter(a -> a.hostId().equals(hostId));
    }

    /** Waits until the host is listed and the condition holds for it, or the timeout passes. */
    public Optional<AnnouncedAgent> await(String hostId, Predicate<AnnouncedAgent> condition, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        return awaitValue(() -> agent(hostId).filter(condition), timeout);
    }

    /** Waits until the host is no longer listed; false if it still is when the timeout passes. */
    public boolean awaitGone(String hostId, Duration timeout) throws InterruptedException {
        return awaitValue(() -> agent(hostId).isPresent() ? Optional.empty() : Optional.of(hostId), timeout)
                .isPresent();
    }

    /** Re-evaluates the probe after every change (all changes notify) until it has a value or time is up. */
    private synchronized <T> Optional<T> awaitValue(Supplier<Optional<T>> probe, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            long left = deadline - System.nanoTime();
            if (value.isPresent() || left <= 0) {
                return value;
            }
            wait(Math.max(1, Duration.ofNanos(left).toMillis()));
        }
    }

    public void addChangeListener(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeChangeListener(Runnable listener) {
        changeListeners.remove(listener);
    }

    private void fireChange() {
        for (Runnable listener : changeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                // one faulty listener must neither stop the others nor reach the DNS-SD library's thread
                LOG.log(Level.ERROR, "DNS-SD change listener failed", e);
            }
        }
    }

    /** Prefers IPv4, then a global IPv6 address: a link-local one needs a scope a host entry cannot carry. */
    static String usableAddress(List<? extends InetAddress> addresses) throws MalformedAnnouncementException {
        if (addresses != null) {
            for (InetAddress a : addresses) {
                if (a instanceof Inet4Address && !a.isAnyLocalAddress() && !a.isMulticastAddress()) {
                    return a.getHostAddress();
                }
            }
            for (InetAddress a : addresses) {
                if (a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
                        && !a.isMulticastAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        throw new MalformedAnnouncementException("no usable address (resolved to " + addresses + ")");
    }

    private static String key(String instanceName) {
        return instanceName == null ? "" : instanceName.toLowerCase(Locale.ROOT);
    }
}
