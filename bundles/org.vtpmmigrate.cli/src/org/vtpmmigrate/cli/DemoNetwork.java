package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the demo hosts live on this machine. As root, each host gets a network namespace of its own,
 * joined to the others by a bridge that also carries this process's traffic to the agents, so hosts
 * see each other only over a real (virtual) link; otherwise all hosts share 127.0.0.1 on free ports.
 * Closing removes every namespace, link and bridge it made.
 */
final class DemoNetwork implements AutoCloseable {
    /** The peer and management ports agents use inside their own namespace. */
    static final int PEER_PORT = 7710;
    static final int MANAGEMENT_PORT = 7711;
    private static final long IP_TIMEOUT_SECONDS = 20;

    private String description;
    private final String bridge;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, int[]> ports = new LinkedHashMap<>();
    private final InetAddress localAddress;

    private DemoNetwork(String description, String bridge, InetAddress localAddress) {
        this.description = description;
        this.bridge = bridge;
        this.localAddress = localAddress;
    }

    /** Namespaces when running as root with iproute2, loopback otherwise; {@code out} says which and why. */
    static DemoNetwork create(List<String> hostIds, PrintStream out) throws IOException, InterruptedException {
        if (!isRoot() || !ip(List.of("netns", "list")).isEmpty()) {
            return loopback(hostIds, isRoot() ? "iproute2 cannot manage network namespaces here"
                    : "network namespaces need root");
        }
        long pid = ProcessHandle.current().pid();
        int subnet = (int) (20 + pid % 200);
        String bridge = "vtpmbr" + pid % 100000;
        String prefix = "10.213." + subnet + ".";
        DemoNetwork network = new DemoNetwork("", bridge, InetAddress.getByName(prefix + "1"));
        try {
            network.run("link", "add", bridge, "type", "bridge");
            network.run("addr", "add", prefix + "1/24", "dev", bridge);
            network.run("link", "set", bridge, "up");
            int n = 0;
            StringBuilder text = new StringBuilder("network namespaces on bridge " + bridge + " (" + prefix + "1):");
            for (String hostId : hostIds) {
                n++;
                String ns = "vtpm-" + pid + "-" + n;
                String veth = "vtpm" + pid % 100000 + "h" + n;
                network.run("netns", "add", ns);
                network.namespaces.put(hostId, ns);
                network.run("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
                network.run("link", "set", veth, "master", bridge, "up");
                String address = prefix + (10 + n);
                network.run("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
                network.run("-n", ns, "link", "set", "eth0", "up");
                network.run("-n", ns, "link", "set", "lo", "up");
                network.addresses.put(hostId, address);
                network.ports.put(hostId, new int[] {PEER_PORT, MANAGEMENT_PORT});
                text.append(' ').append(hostId).append(" in ").append(ns).append(" at ").append(address).append(';');
            }
            network.description = text.substring(0, text.length() - 1);
            return network;
        } catch (IOException | RuntimeException e) {
            network.close();
            out.println("network namespaces could not be set up (" + e.getMessage() + "): using 127.0.0.1");
            return loopback(hostIds, "namespaces failed");
        }
    }

    private static DemoNetwork loopback(List<String> hostIds, String why) throws IOException {
        DemoNetwork network = new DemoNetwork("127.0.0.1, free ports (" + why + ")", null,
                InetAddress.getLoopbackAddress());
        for (String hostId : hostIds) {
            network.addresses.put(hostId, "127.0.0.1");
            network.ports.put(hostId, new int[] {freePort(), freePort()});
        }
        return network;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    String description() {
        return description;
    }

    boolean namespaced() {
        return bridge != null;
    }

    /** This process's address on the hosts' network (the bridge, or loopback). */
    InetAddress localAddress() {
        return localAddress;
    }

    Map<String, String> addresses() {
        return addresses;
    }

    Map<String, int[]> ports() {
        return ports;
    }

    /** What to put before a command so it runs in the host's namespace (nothing on loopback). */
    List<String> launchPrefix(String hostId) {
        String ns = namespaces.get(hostId);
        return ns == null ? List.of() : List.of("ip", "netns", "exec", ns);
    }

    private void run(String... args) throws IOException, InterruptedException {
        String error = ip(List.of(args));
        if (!error.isEmpty()) {
            throw new IOException("ip " + String.join(" ", args) + ": " + error);
        }
    }

    /** Runs {@code ip ARGS}; returns its error output, empty on success. */
    private static String ip(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "iproute2 not installed";
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(IP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? "" : output.isEmpty() ? "exit " + p.exitValue() : output;
    }

    @Override
    public void close() {
        try {
            for (String ns : namespaces.values()) {
                ip(List.of("netns", "delete", ns));
            }
            if (bridge != null) {
                ip(List.of("link", "delete", bridge));
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("vtpm-migrate demo: removing the demo network: " + e.getMessage());
        }
    }
}
