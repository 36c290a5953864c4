package org.vtpmmigrate.discovery.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.discovery.AgentAnnouncement;
import org.vtpmmigrate.discovery.AnnouncedAgent;
import org.vtpmmigrate.discovery.HostEntry;

class AgentTableTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final AgentTable table = new AgentTable();

    @Test
    void resolvedAgentsAreListedSortedByHostIdAndRemovedAgentsDisappear() throws Exception {
        assertTrue(resolve("zeta", 7711));
        assertTrue(resolve("alpha", 7721));
        assertEquals(List.of("alpha", "zeta"), table.agents().stream().map(AnnouncedAgent::hostId).toList());
        assertEquals(new HostEntry("alpha", "192.0.2.1", 7721, "dns-sd"), table.agents().get(0).hostEntry());
        assertEquals("192.0.2.1:7710", table.agents().get(0).peerAddress());

        table.removed("ZETA");
        assertEquals(List.of("alpha"), table.agents().stream().map(AnnouncedAgent::hostId).toList());
    }

    @Test
    void malformedAnnouncementIsIgnoredWithItsReasonAndDropsTheEarlierEntry() throws Exception {
        assertTrue(resolve("host-1", 7711));
        assertFalse(table.resolved("host-1", 0, AnnouncementTxt.encode(announcement("host-1", 7710)),
                addresses("192.0.2.1")));
        assertEquals(List.of(), table.agents());
        assertEquals(Map.of("host-1", "SRV port 0 outside 1-65535"), table.ignored());

        assertTrue(resolve("host-1", 7711));
        assertEquals(Map.of(), table.ignored(), "a valid announcement clears the earlier reason");
    }

    @Test
    void serviceWithoutTxtYetIsNeitherListedNorIgnored() throws Exception {
        assertFalse(table.resolved("host-1", 7711, new byte[] {0}, addresses("192.0.2.1")));
        assertEquals(List.of(), table.agents());
        assertEquals(Map.of(), table.ignored());
    }

    @Test
    void prefersIpv4AndRefusesOnlyLinkLocalAddresses() throws Exception {
        byte[] txt = AnnouncementTxt.encode(announcement("host-1", 7710));
        assertTrue(table.resolved("host-1", 7711, txt, addresses("2001:db8::1", "192.0.2.7")));
        assertEquals("192.0.2.7", table.agent("host-1").orElseThrow().address());
        assertTrue(table.resolved("host-1", 7711, txt, addresses("fe80::1", "2001:db8::1")));
        assertEquals("[2001:db8:0:0:0:0:0:1]:7710", table.agent("host-1").orElseThrow().peerAddress());
        assertFalse(table.resolved("host-1", 7711, txt, addresses("fe80::1")));
        assertEquals("no usable address (resolved to [/fe80:0:0:0:0:0:0:1])", table.ignored().get("host-1"));
    }

    @Test
    void keepsAtMostMaxAgentsButStillUpdatesListedOnes() throws Exception {
        for (int i = 0; i < AgentTable.MAX_AGENTS; i++) {
            assertTrue(resolve("host-" + i, 7711));
        }
        assertFalse(table.hasRoomFor("one-too-many"));
        assertFalse(resolve("one-too-many", 7711));
        assertTrue(table.hasRoomFor("host-3"));
        assertTrue(resolve("host-3", 9911));
        assertEquals(AgentTable.MAX_AGENTS, table.agents().size());
        assertEquals(9911, table.agent("host-3").orElseThrow().announcement().managementPort());
    }

    @Test
    void awaitReturnsWhenAnotherThreadResolvesTheHostAndAwaitGoneWhenItIsRemoved() throws Exception {
        CompletableFuture<Optional<AnnouncedAgent>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return table.await("late", a -> a.announcement().managementPort() == 7711, WAIT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        resolve("late", 7711);
        assertEquals("late", waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow().hostId());

        CompletableFuture<Boolean> gone = CompletableFuture.supplyAsync(() -> {
            try {
                return table.awaitGone("late", WAIT);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        table.removed("late");
        assertTrue(gone.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void awaitGivesUpAfterTheTimeout() throws Exception {
        assertEquals(Optional.empty(), table.await("never", a -> true, Duration.ofMillis(50)));
        resolve("stays", 7711);
        assertFalse(table.awaitGone("stays", Duration.ofMillis(50)));
    }

    @Test
    void changeListenersHearEveryChangeAndAFailingOneDoesNotStopTheOthers() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        table.addChangeListener(() -> {
            throw new IllegalStateException("listener bug");
        });
        table.addChangeListener(changes::incrementAndGet);
        resolve("host-1", 7711);
        resolve("host-1", 7711); // the same announcement again is no change
        resolve("host-1", 7712);
        table.removed("host-1");
        assertEquals(3, changes.get());
    }

    private boolean resolve(String hostId, int managementPort) throws Exception {
        return table.resolved(hostId, managementPort, AnnouncementTxt.encode(announcement(hostId, 7710)),
                addresses("192.0.2.1"));
    }

    private static AgentAnnouncement announcement(String hostId, int peerPort) {
        return new AgentAnnouncement(hostId, 7711, peerPort, "swtpm");
    }

    private static List<InetAddress> addresses(String... literals) throws Exception {
        InetAddress[] out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) {
            out[i] = InetAddress.getByName(literals[i]);
        }
        return List.of(out);
    }
}
