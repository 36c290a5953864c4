package org.vtpmmigrate.discovery.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.vtpmmigrate.discovery.HostEntry;

/**
 * The static inventory: one agent per line, {@code host-id address:port}, '#' starts a comment.
 * Bounded (size and line count) and strict: a bad line is an error naming the line, not a skipped host.
 */
public final class InventoryFile {
    static final long MAX_BYTES = 1 << 20;
    static final int MAX_HOSTS = 4096;
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    private InventoryFile() {
    }

    public static List<HostEntry> read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + ": larger than " + MAX_BYTES + " bytes");
        }
        List<HostEntry> hosts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String content = line.strip();
                int hash = content.indexOf('#');
                if (hash >= 0) {
                    content = content.substring(0, hash).strip();
                }
                if (content.isEmpty()) {
                    continue;
                }
                HostEntry entry = parseLine(file, number, content);
                if (!seen.add(entry.hostId())) {
                    throw new IOException(file + ":" + number + ": host id '" + entry.hostId() + "' listed twice");
                }
                if (hosts.size() == MAX_HOSTS) {
                    throw new IOException(file + ":" + number + ": more than " + MAX_HOSTS + " hosts");
                }
                hosts.add(entry);
            }
        }
        hosts.sort(Comparator.comparing(HostEntry::hostId));
        return List.copyOf(hosts);
    }

    private static HostEntry parseLine(Path file, int number, String content) throws IOException {
        String[] fields = content.split("\\s+");
        if (fields.length != 2) {
            throw new IOException(file + ":" + number + ": expected 'host-id address:port', found '" + content + "'");
        }
        if (!HostIds.isValid(fields[0])) {
            throw new IOException(file + ":" + number + ": '" + fields[0] + "' is not a valid host id");
        }
        int colon = fields[1].lastIndexOf(':');
        if (colon <= 0 || colon == fields[1].length() - 1) {
            throw new IOException(file + ":" + number + ": '" + fields[1] + "' lacks ':port'");
        }
        String address = fields[1].substring(0, colon);
        if (!ADDRESS.matcher(address).matches()) {
            throw new IOException(file + ":" + number + ": '" + address + "' is not a host name or IP address");
        }
        int port;
        try {
            port = Integer.parseInt(fields[1].substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + number + ": port '" + fields[1].substring(colon + 1) + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IOException(file + ":" + number + ": port " + port + " outside 1-65535");
        }
        return new HostEntry(fields[0], address, port, "inventory");
    }
}
