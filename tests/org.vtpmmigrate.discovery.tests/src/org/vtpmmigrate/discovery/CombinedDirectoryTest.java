package org.vtpmmigrate.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.discovery.internal.AgentTable;
import org.vtpmmigrate.discovery.internal.AnnouncementTxt;
import org.vtpmmigrate.discovery.internal.InventoryFile;

class CombinedDirectoryTest {
    @TempDir
    Path dir;

    private HostDirectory inventory;
    private final AgentTable announced = new AgentTable();
    private final HostDirectory dnsSd = () -> announced.agents().stream().map(AnnouncedAgent::hostEntry).toList();

    @BeforeEach
    void sources() throws Exception {
        Path file = dir.resolve("hosts.inventory");
        Files.writeString(file, "shared 10.0.0.2:7711   # written down by the administrator\nonly-inventory 10.0.0.1:7711\n");
        List<HostEntry> listed = InventoryFile.read(file);
        inventory = () -> listed;
        announce("shared", "192.0.2.2", 9711);
        announce("only-dns-sd", "192.0.2.3", 7711);
    }

    @Test
    void mergesBothSourcesAndTheInventoryWinsForTheSameHostId() {
        CombinedDirectory combined = CombinedDirectory.of(Optional.of(inventory), Optional.of(dnsSd));
        assertEquals(List.of(
                new HostEntry("only-dns-sd", "192.0.2.3", 7711, "dns-sd"),
                new HostEntry("only-inventory", "10.0.0.1", 7711, "inventory"),
                new HostEntry("shared", "10.0.0.2", 7711, "inventory")), combined.hosts());
        assertTrue(combined.inventoryEnabled());
        assertTrue(combined.dnsSdEnabled());
    }

    @Test
    void eitherSourceCanBeTurnedOff() {
        CombinedDirectory noDnsSd = CombinedDirectory.of(Optional.of(inventory), Optional.empty());
        assertEquals(List.of("only-inventory", "shared"), ids(noDnsSd));
        assertFalse(noDnsSd.dnsSdEnabled());

        CombinedDirectory noInventory = CombinedDirectory.of(Optional.empty(), Optional.of(dnsSd));
        assertEquals(List.of(new HostEntry("only-dns-sd", "192.0.2.3", 7711, "dns-sd"),
                new HostEntry("shared", "192.0.2.2", 9711, "dns-sd")), noInventory.hosts());
        assertFalse(noInventory.inventoryEnabled());

        assertEquals(List.of(), CombinedDirectory.of(Optional.empty(), Optional.empty()).hosts());
    }

    @Test
    void followsChangesOfItsSources() throws Exception {
        CombinedDirectory combined = CombinedDirectory.of(Optional.of(inventory), Optional.of(dnsSd));
        announced.removed("only-dns-sd");
        assertEquals(List.of("only-inventory", "shared"), ids(combined));
    }

    private void announce(String hostId, String address, int port) throws Exception {
        AgentAnnouncement a = new AgentAnnouncement(hostId, port, 7710, "swtpm");
        assertTrue(announced.resolved(hostId, port, AnnouncementTxt.encode(a), List.of(InetAddress.getByName(address))));
    }

    private static List<String> ids(HostDirectory d) {
        return d.hosts().stream().map(HostEntry::hostId).toList();
    }
}
