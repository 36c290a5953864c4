package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.internal.JsonFields;
import org.vtpmmigrate.attest.policy.internal.JsonTree;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Node;

import com.google.gson.stream.JsonWriter;

/**
 * The VM launch measurements a host reports: every launch event it extended into its launch PCR
 * (SHA-256 bank) since boot, in extend order, and which VM is being judged. Each event names
 * its VM (optional when the host launched one), the measurement (firmware, kernel, initrd,
 * disk-image, configuration) and the SHA-256 of the measured content.
 * <p>
 * The host extends {@link #extendDigest(String, byte[])} per event, SHA-256(
 * {@value #EXTEND_DOMAIN} || 0x00 || name || 0x00 || content digest), the rule of the
 * hypervisor bundle's LaunchMeasurement, so relabelling one measurement as another changes the
 * PCR. JSON form ({@code launch.json}):
 * <pre>
 * {"vm": "web-1",
 *  "events": [{"vm": "web-1", "name": "firmware", "sha256": "&lt;64 hex&gt;"}, ...]}
 * </pre>
 * Immutable.
 */
public final class LaunchLog {
    /** Domain separation string of the extend digest. */
    public static final String EXTEND_DOMAIN = "vtpm-migrate launch-event v1";
    /** Most events accepted (a host that launched this many VMs since boot is not plausible). */
    public static final int MAX_EVENTS = 4096;
    /** Largest JSON form accepted. */
    public static final int MAX_JSON_CHARS = 1024 * 1024;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._:-]{0,63}");
    private static final Pattern VM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** One launch event. */
    public record Event(Optional<String> vm, String name, byte[] contentDigest) {
        public Event {
            Objects.requireNonNull(vm, "vm");
            vm.ifPresent(v -> {
                if (!VM_NAME.matcher(v).matches()) {
                    throw new IllegalArgumentException("'" + v + "' is not a VM name");
                }
            });
            if (!isValidName(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a measurement name");
            }
            if (contentDigest.length != HashAlgorithm.SHA256.digestSize()) {
                throw new IllegalArgumentException("launch measurement " + name + " has a " + contentDigest.length
                        + "-byte digest; SHA-256 has 32");
            }
            contentDigest = contentDigest.clone();
        }

        @Override
        public byte[] contentDigest() {
            return contentDigest.clone();
        }

        public String contentDigestHex() {
            return HexFormat.of().formatHex(contentDigest);
        }

        @Override
        public String toString() {
            return vm.map(v -> v + "/").orElse("") + name + "=sha256:" + contentDigestHex();
        }
    }

    private final Optional<String> vm;
    private final List<Event> events;

    private LaunchLog(Optional<String> vm, List<Event> events) {
        this.vm = vm;
        this.events = List.copyOf(events);
    }

    /**
     * @param vm     the VM being judged; empty when every event is the judged VM's
     * @param events all launch events in extend order
     */
    public static LaunchLog of(Optional<String> vm, List<Event> events) {
        Objects.requireNonNull(vm, "vm");
        vm.ifPresent(v -> {
            if (!VM_NAME.matcher(v).matches()) {
                throw new IllegalArgumentException("'" + v + "' is not a VM name");
            }
        });
        if (events.size() > MAX_EVENTS) {
            throw new IllegalArgumentException(events.size() + " launch events exceed the limit of " + MAX_EVENTS);
        }
        return new LaunchLog(vm, events);
    }

    /** Whether {@code name} can name a measurement: lowercase letters, digits and . _ : - (e.g. "disk:vda"). */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    public Optional<String> vm() {
        return vm;
    }

    /** Every event, in extend order. */
    public List<Event> events() {
        return events;
    }

    /** The events of the VM being judged: those naming it, and those naming no VM. */
    public List<Event> vmEvents() {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.vm().isEmpty() || e.vm().equals(vm)) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The value the host extends for one event. */
    public static byte[] extendDigest(String name, byte[] contentDigest) {
        var md = HashAlgorithm.SHA256.newDigest();
        md.update(EXTEND_DOMAIN.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(name.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(contentDigest);
        return md.digest();
    }

    /** The SHA-256 launch PCR after every event was extended into it from zero. */
    public byte[] replay() {
        byte[] pcr = HashAlgorithm.SHA256.zeroDigest();
        for (Event e : events) {
            pcr = HashAlgorithm.SHA256.digest(pcr, extendDigest(e.name(), e.contentDigest));
        }
        return pcr;
    }

    /** Reads the JSON form; strict, bounded. */
    public static LaunchLog fromJson(String json, String source) throws PolicyFormatException {
        if (json.length() > MAX_JSON_CHARS) {
            throw new PolicyFormatException(source, 0, 0, "", json.length() + " characters exceed the limit of "
                    + MAX_JSON_CHARS);
        }
        Node root = JsonTree.parse(json, source, 4 * MAX_EVENTS + 16);
        JsonFields top = new JsonFields(root);
        Optional<String> vm = top.optional("vm").isPresent()
                ? Optional.of(vmName(top.optional("vm").get())) : Optional.empty();
        List<Event> events = new ArrayList<>();
        for (Node n : JsonFields.array(top.required("events"), MAX_EVENTS)) {
            JsonFields f = new JsonFields(n);
            Optional<String> eventVm = f.optional("vm").isPresent()
                    ? Optional.of(vmName(f.optional("vm").get())) : Optional.empty();
            Node nameNode = f.required("name");
            String name = JsonFields.string(nameNode, 64);
            if (!isValidName(name)) {
                throw nameNode.error("'" + name + "' is not a measurement name (lowercase letters, digits, . _ : -)");
            }
            String hex = JsonFields.digest(f.required("sha256"), HashAlgorithm.SHA256);
            f.finish();
            events.add(new Event(eventVm, name, HexFormat.of().parseHex(hex)));
        }
        top.finish();
        return new LaunchLog(vm, events);
    }

    private static String vmName(Node n) throws PolicyFormatException {
        String v = JsonFields.string(n, 128);
        if (!VM_NAME.matcher(v).matches()) {
            throw n.error("'" + v + "' is not a VM name (letters, digits, . _ : -)");
        }
        return v;
    }

    /** The JSON form, indented. */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setIndent("  ");
            w.beginObject();
            if (vm.isPresent()) {
                w.name("vm").value(vm.get());
            }
            w.name("events").beginArray();
            for (Event e : events) {
                w.beginObject();
                if (e.vm().isPresent()) {
                    w.name("vm").value(e.vm().get());
                }
                w.name("name").value(e.name()).name("sha256").value(e.contentDigestHex());
                w.endObject();
            }
            w.endArray().endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString() + "\n";
    }

    @Override
    public String toString() {
        return "LaunchLog[" + vm.orElse("(one VM)") + ", " + events + "]";
    }
}
