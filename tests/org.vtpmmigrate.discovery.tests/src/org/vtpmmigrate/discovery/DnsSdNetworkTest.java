package org.vtpmmigrate.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.jmdns.JmDNS;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real multicast DNS between an announcer and a browser. The host's loopback has no MULTICAST flag and must
 * not be changed, so each test creates its own network namespace with a multicast-capable loopback and runs
 * {@link DnsSdProbe} in a child JVM there. Needs root and {@code ip netns}; skipped (with the reason) without.
 */
class DnsSdNetworkTest {
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    private String namespace;

    @BeforeEach
    void createNamespace() throws Exception {
        Result uid = run(List.of("id", "-u"));
        assumeTrue(uid.exitCode() == 0 && uid.output().strip().equals("0"),
                "DNS-SD network tests need root to create a network namespace (id -u: " + uid.output().strip() + ")");
        String name = "vtpm-dnssd-" + UUID.randomUUID().toString().substring(0, 8);
        Result added = run(List.of("ip", "netns", "add", name));
        assumeTrue(added.exitCode() == 0, "'ip netns add' is not available: " + added.output().strip());
        namespace = name;
        check("ip", "-n", namespace, "link", "set", "lo", "up");
        check("ip", "-n", namespace, "link", "set", "lo", "multicast", "on");
        check("ip", "-n", namespace, "route", "add", "224.0.0.0/4", "dev", "lo");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (namespace != null) {
            check("ip", "netns", "del", namespace);
        }
    }

    @Test
    void browserResolvesAnnouncedAgentsAndSeesOneWithdraw() throws Exception {
        List<String> lines = probe("lifecycle");
        assertEquals(List.of(
                "RESOLVED agent-a 127.0.0.1 7711 7710 swtpm",
                "RESOLVED agent-b 127.0.0.1 8711 8710 device",
                "HOSTS agent-a@127.0.0.1:7711/dns-sd,agent-b@127.0.0.1:8711/dns-sd",
                "GONE agent-a",
                "HOSTS agent-b@127.0.0.1:8711/dns-sd",
                "DONE"), lines);
    }

    @Test
    void malformedAnnouncementsAreIgnoredWhileAGoodOneIsListed() throws Exception {
        List<String> lines = probe("malformed");
        assertEquals(List.of(
                "RESOLVED good-agent 127.0.0.1 9711 9710 swtpm",
                "IGNORED bad-id: TXT host-id '-bad-id' must be 1-63 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit",
                "IGNORED no-api: TXT has no api attribute",
                "IGNORED no-peer-port: TXT has no peer-port attribute",
                "IGNORED port-zero: SRV port 0 outside 1-65535",
                "IGNORED renamed: instance name 'renamed' differs from TXT host-id 'other' (is the host id announced"
                        + " twice?)",
                "IGNORED long-txt: TXT record is 667 bytes, more than 512",
                "HOSTS good-agent@127.0.0.1:9711/dns-sd",
                "DONE"), lines);
    }

    /** Runs the probe in the namespace; returns its result lines (log output is kept for the failure message). */
    private List<String> probe(String scenario) throws Exception {
        List<String> command = List.of("ip", "netns", "exec", namespace,
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", childClassPath(), DnsSdProbe.class.getName(), scenario);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            child.getOutputStream().close();
            // read on this thread; the child ends by itself, the timeout below guards against a hang
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS), "probe did not end:\n" + output);
            List<String> lines = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (line.matches("(RESOLVED|HOSTS|GONE|IGNORED|TIMEOUT|DONE)\\b.*")) {
                    lines.add(line.strip());
                }
            }
            assertEquals(0, child.exitValue(), "probe " + scenario + " failed:\n" + output);
            return lines;
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * The child needs JmDNS, SLF4J (JmDNS's logging API) and the discovery classes. The test runtime's own
     * class path is no guide (under OSGi it names only the launcher), so the locations come from the code
     * sources of those classes; SLF4J is loaded through JmDNS, which imports it.
     */
    private static String childClassPath() throws Exception {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(location(DnsSdProbe.class));
        entries.add(location(DnsSdDirectory.class));
        entries.add(location(JmDNS.class));
        entries.add(location(JmDNS.class.getClassLoader().loadClass("org.slf4j.LoggerFactory")));
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> type) throws URISyntaxException {
        URL url = type.getProtectionDomain().getCodeSource() == null ? null
                : type.getProtectionDomain().getCodeSource().getLocation();
        if (url == null || !"file".equals(url.getProtocol())) {
            fail("cannot build the probe's class path: " + type.getName() + " comes from " + url
                    + ", not from a file or directory");
        }
        Path path = Paths.get(url.toURI());
        if (!Files.exists(path)) {
            fail("cannot build the probe's class path: " + path + " (location of " + type.getName() + ") does not exist");
        }
        return path.toString();
    }

    private static void check(String... command) throws IOException, InterruptedException {
        Result r = run(List.of(command));
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " failed with " + r.exitCode() + ": " + r.output().strip());
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not end");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } finally {
            p.destroyForcibly();
        }
    }
}
