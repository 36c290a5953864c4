package org.vtpmmigrate.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;

import org.vtpmmigrate.discovery.internal.AgentTable;
import org.vtpmmigrate.discovery.internal.AnnouncementTxt;
import org.vtpmmigrate.discovery.internal.JmdnsBrowser;
import org.vtpmmigrate.discovery.internal.TxtRecord;

/**
 * Runs one DNS-SD scenario with real multicast on loopback, inside the network namespace that
 * {@link DnsSdNetworkTest} creates, and prints what the browser saw as lines the test parses:
 * {@code RESOLVED id address management peer tpm}, {@code HOSTS id@address:port/source,...},
 * {@code GONE id}, {@code IGNORED instance: reason}, {@code TIMEOUT what}, {@code DONE}.
 */
public final class DnsSdProbe {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** The malformed services of the "malformed" scenario: instance name, SRV port, TXT attributes. */
    static final List<Malformed> MALFORMED = List.of(
            new Malformed("bad-id", 7711, txt("api", "v1", "host-id", "-bad-id", "peer-port", "7710", "tpm", "swtpm")),
            new Malformed("no-api", 7711, txt("host-id", "no-api", "peer-port", "7710", "tpm", "swtpm")),
            new Malformed("no-peer-port", 7711, txt("api", "v1", "host-id", "no-peer-port", "tpm", "swtpm")),
            new Malformed("port-zero", 0, txt("api", "v1", "host-id", "port-zero", "peer-port", "7710", "tpm", "swtpm")),
            new Malformed("renamed", 7711, txt("api", "v1", "host-id", "other", "peer-port", "7710", "tpm", "swtpm")),
            new Malformed("long-txt", 7711, longTxt()));

    record Malformed(String instance, int port, byte[] txt) {
    }

    private DnsSdProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 1 ? args[0] : "") {
            case "lifecycle" -> lifecycle();
            case "malformed" -> malformed();
            default -> throw new IllegalArgumentException("usage: DnsSdProbe lifecycle|malformed");
        }
        System.out.println("DONE");
    }

    /** Two agents appear, sorted; one withdraws and disappears while the other stays. */
    private static void lifecycle() throws IOException, InterruptedException {
        try (DnsSdDirectory directory = DnsSdDirectory.open(LOOPBACK);
                DnsSdAnnouncer b = DnsSdAnnouncer.start(LOOPBACK, new AgentAnnouncement("agent-b", 8711, 8710, "device"))) {
            DnsSdAnnouncer a = DnsSdAnnouncer.start(LOOPBACK, new AgentAnnouncement("agent-a", 7711, 7710, "swtpm"));
            try {
                printResolved(directory.awaitHost("agent-a", WAIT), "agent-a");
                printResolved(directory.awaitHost("agent-b", WAIT), "agent-b");
                printHosts(directory.hosts());
            } finally {
                a.close();
            }
            System.out.println(directory.awaitGone("agent-a", WAIT) ? "GONE agent-a" : "TIMEOUT gone agent-a");
            printHosts(directory.hosts());
        }
    }

    /** Malformed services (announced with plain JmDNS) are ignored while a good one is listed. */
    private static void malformed() throws IOException, InterruptedException {
        AgentTable table = new AgentTable();
        try (JmdnsBrowser browser = JmdnsBrowser.open(LOOPBACK, table);
                JmDNS raw = JmDNS.create(LOOPBACK, "malformed-announcer")) {
            for (Malformed m : MALFORMED) {
                raw.registerService(ServiceInfo.create(AnnouncementTxt.SERVICE_TYPE, m.instance(), m.port(), 0, 0, m.txt()));
            }
            try (DnsSdAnnouncer good = DnsSdAnnouncer.start(LOOPBACK,
                    new AgentAnnouncement("good-agent", 9711, 9710, "swtpm"))) {
                printResolved(table.await("good-agent", x -> true, WAIT), "good-agent");
                for (Malformed m : MALFORMED) {
                    Optional<String> reason = table.awaitIgnored(m.instance(), WAIT);
                    System.out.println(reason.map(r -> "IGNORED " + m.instance() + ": " + r)
                            .orElse("TIMEOUT ignored " + m.instance()));
                }
                printHosts(table.agents().stream().map(AnnouncedAgent::hostEntry).toList());
            }
        }
    }

    private static void printResolved(Optional<AnnouncedAgent> agent, String hostId) {
        System.out.println(agent.map(a -> "RESOLVED " + a.hostId() + " " + a.address() + " "
                + a.announcement().managementPort() + " " + a.announcement().peerPort() + " "
                + a.announcement().tpmKind()).orElse("TIMEOUT resolve " + hostId));
    }

    private static void printHosts(List<HostEntry> hosts) {
        System.out.println("HOSTS " + hosts.stream()
                .map(h -> h.hostId() + "@" + h.address() + ":" + h.managementPort() + "/" + h.source())
                .collect(Collectors.joining(",")));
    }

    private static byte[] txt(String... keysAndValues) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            attributes.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return TxtRecord.encode(attributes);
    }

    /** A valid announcement padded past {@link TxtRecord#MAX_BYTES} with filler attributes. */
    private static byte[] longTxt() {
        List<String> attributes = new ArrayList<>(List.of("api", "v1", "host-id", "long-txt", "peer-port", "7710",
                "tpm", "swtpm"));
        for (int i = 0; i < 3; i++) {
            attributes.add("pad" + i);
            attributes.add("x".repeat(200));
        }
        return txt(attributes.toArray(String[]::new));
    }
}
