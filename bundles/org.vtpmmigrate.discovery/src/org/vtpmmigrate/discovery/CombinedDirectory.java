package org.vtpmmigrate.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The hosts of the inventory and of DNS-SD together; either source may be turned off (absent). When both
 * list a host id, the inventory's entry wins: it is what the administrator wrote down, while any agent on
 * the link can announce anything.
 */
public final class CombinedDirectory implements HostDirectory {
    private final Optional<HostDirectory> inventory;
    private final Optional<HostDirectory> dnsSd;

    private CombinedDirectory(Optional<HostDirectory> inventory, Optional<HostDirectory> dnsSd) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.dnsSd = Objects.requireNonNull(dnsSd, "dnsSd");
    }

    /** Both sources, or only those present: {@code Optional.empty()} turns a source off. */
    public static CombinedDirectory of(Optional<? extends HostDirectory> inventory,
            Optional<? extends HostDirectory> dnsSd) {
        return new CombinedDirectory(inventory.map(HostDirectory.class::cast), dnsSd.map(HostDirectory.class::cast));
    }

    public boolean inventoryEnabled() {
        return inventory.isPresent();
    }

    public boolean dnsSdEnabled() {
        return dnsSd.isPresent();
    }

    /** Inventory entries, then DNS-SD entries for host ids the inventory does not list; sorted by host id. */
    @Override
    public List<HostEntry> hosts() {
        Map<String, HostEntry> byHostId = new LinkedHashMap<>();
        inventory.ifPresent(d -> d.hosts().forEach(e -> byHostId.putIfAbsent(e.hostId(), e)));
        dnsSd.ifPresent(d -> d.hosts().forEach(e -> byHostId.putIfAbsent(e.hostId(), e)));
        List<HostEntry> hosts = new ArrayList<>(byHostId.values());
        hosts.sort(Comparator.comparing(HostEntry::hostId));
        return List.copyOf(hosts);
    }
}
