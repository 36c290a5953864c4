package org.vtpmmigrate.engine.internal.migration;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.VerificationFailure;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * The first migration policy: reference values for the host PCRs (the values hosts had when the
 * policy was made; several may be allowed per PCR), the event types accepted in those PCRs (a type
 * is not measured, so anything unexpected is refused), and an allowlist of VM launch measurements
 * (every measurement name the list names must be reported with an allowed digest, and nothing
 * else). SHA-256 bank only. Immutable.
 */
public final class ReferencePcrPolicy implements MigrationPolicy {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+/-]{0,127}");
    private static final Pattern MEASUREMENT_NAME = Pattern.compile("[a-z0-9][a-z0-9._:-]{0,63}");
    private static final String FORMAT = "vtpm-migrate reference-pcr-policy v1";

    private final String id;
    private final int launchPcr;
    private final SortedMap<Integer, SortedSet<String>> referenceValues;
    private final Set<EventType> acceptedEventTypes;
    private final SortedMap<String, SortedSet<String>> allowedLaunch;
    private final Bytes digest;
    private final PcrSelection selection;

    private ReferencePcrPolicy(Builder b) {
        this.id = b.id;
        this.launchPcr = b.launchPcr;
        SortedMap<Integer, SortedSet<String>> refs = new TreeMap<>();
        b.referenceValues.forEach((pcr, values) -> refs.put(pcr,
                Collections.unmodifiableSortedSet(new TreeSet<>(values))));
        this.referenceValues = Collections.unmodifiableSortedMap(refs);
        this.acceptedEventTypes = Collections.unmodifiableSet(EnumSet.copyOf(b.acceptedEventTypes));
        SortedMap<String, SortedSet<String>> launch = new TreeMap<>();
        b.allowedLaunch.forEach((name, digests) -> launch.put(name,
                Collections.unmodifiableSortedSet(new TreeSet<>(digests))));
        this.allowedLaunch = Collections.unmodifiableSortedMap(launch);
        this.digest = Bytes.of(HashAlgorithm.SHA256.digest(canonicalForm().getBytes(StandardCharsets.UTF_8)));
        int[] pcrs = new int[referenceValues.size() + 1];
        int i = 0;
        for (int pcr : referenceValues.keySet()) {
            pcrs[i++] = pcr;
        }
        pcrs[i] = launchPcr;
        this.selection = PcrSelection.of(HashAlgorithm.SHA256.tpmAlgId(), pcrs);
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * A policy pinning PCRs 0-7 to the values {@code platform} holds now, accepting the event types
     * of its measured boot, with {@code platform}'s launch PCR. Add the allowed VMs to the builder.
     */
    public static Builder fromHost(String id, HostPlatform platform) throws PlatformException {
        Builder builder = builder(id).launchPcr(platform.launchPcr());
        org.vtpmmigrate.tpm.PcrValues now = platform.readPcrs(
                org.vtpmmigrate.tpm.PcrSelection.of(HostPlatform.BANK, 0, 1, 2, 3, 4, 5, 6, 7));
        for (int pcr = 0; pcr <= 7; pcr++) {
            builder.reference(pcr, now.value(HostPlatform.BANK, pcr));
        }
        SimulatedMeasuredBoot.eventTypes().forEach(builder::acceptEventType);
        return builder;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Bytes digest() {
        return digest;
    }

    @Override
    public PcrSelection selection() {
        return selection;
    }

    @Override
    public int launchPcr() {
        return launchPcr;
    }

    /** The text the digest is taken over: one fact per line, sorted. */
    String canonicalForm() {
        StringBuilder text = new StringBuilder(FORMAT).append('\n');
        text.append("id ").append(id).append('\n');
        text.append("launch-pcr sha256:").append(launchPcr).append('\n');
        referenceValues.forEach((pcr, values) -> values.forEach(v -> text.append("pcr sha256:").append(pcr).append(' ')
                .append(v).append('\n')));
        new TreeSet<>(acceptedEventTypes.stream().map(Enum::name).toList())
                .forEach(t -> text.append("event-type ").append(t).append('\n'));
        allowedLaunch.forEach((name, digests) -> digests.forEach(d -> text.append("launch ").append(name)
                .append(" sha256:").append(d).append('\n')));
        return text.toString();
    }

    @Override
    public Verdict evaluate(Evidence evidence) {
        List<VerificationFailure> failures = new ArrayList<>();
        referenceValues.forEach((pcr, allowed) -> {
            String found = evidence.pcrs().get(HashAlgorithm.SHA256, pcr).map(HexFormat.of()::formatHex).orElse(null);
            if (found == null) {
                failures.add(new VerificationFailure(VerificationCheck.POLICY, "PCR sha256:" + pcr
                        + " is not in the evidence; the policy pins it"));
            } else if (!allowed.contains(found)) {
                failures.add(new VerificationFailure(VerificationCheck.POLICY, "PCR sha256:" + pcr + " is " + found
                        + ", the policy allows " + String.join(" or ", allowed) + describeEvents(evidence, pcr)));
            }
        });
        for (int pcr : referenceValues.keySet()) {
            for (TcgEvent event : evidence.log().extendedEvents(HashAlgorithm.SHA256, pcr)) {
                if (event.type().map(t -> !acceptedEventTypes.contains(t)).orElse(true)) {
                    failures.add(new VerificationFailure(VerificationCheck.POLICY, "event " + event.index() + " in PCR "
                            + pcr + " has type " + event.typeName() + ", which the policy does not accept"));
                }
            }
        }
        if (evidence.attester() == Role.SOURCE) {
            evaluateLaunch(evidence, failures);
        }
        return new Verdict(failures);
    }

    private void evaluateLaunch(Evidence evidence, List<VerificationFailure> failures) {
        if (evidence.launchMeasurements().isEmpty()) {
            failures.add(new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT,
                    "the source reports no launch measurements for the VM"));
            return;
        }
        Set<String> reported = new TreeSet<>();
        for (org.vtpmmigrate.protocol.wire.LaunchMeasurement m : evidence.launchMeasurements()) {
            reported.add(m.name());
            String hex = m.digest().toHex();
            SortedSet<String> allowed = allowedLaunch.get(m.name());
            if (m.hashAlgorithm() != HashAlgorithm.SHA256.tpmAlgId()) {
                failures.add(new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT, "measurement " + m.name()
                        + String.format(" uses hash 0x%04x; the policy allows SHA-256 only", m.hashAlgorithm())));
            } else if (allowed == null) {
                failures.add(new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT, "measurement " + m.name()
                        + "=sha256:" + hex + " is not on the policy's allowlist (it names " + allowedLaunch.keySet()
                        + ")"));
            } else if (!allowed.contains(hex)) {
                failures.add(new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT, "measurement " + m.name()
                        + "=sha256:" + hex + " is not allowed; the policy allows " + String.join(" or ", allowed)));
            }
        }
        for (String name : allowedLaunch.keySet()) {
            if (!reported.contains(name)) {
                failures.add(new VerificationFailure(VerificationCheck.LAUNCH_MEASUREMENT, "the policy requires a "
                        + name + " measurement; the VM reports only " + reported));
            }
        }
    }

    private static String describeEvents(Evidence evidence, int pcr) {
        StringJoiner events = new StringJoiner(", ", " (logged events: ", ")");
        events.setEmptyValue(" (no logged event extends it)");
        for (TcgEvent event : evidence.log().extendedEvents(HashAlgorithm.SHA256, pcr)) {
            String text = event.decoded().filter(d -> d instanceof org.vtpmmigrate.attest.eventlog.EventData.Text)
                    .map(d -> " '" + ((org.vtpmmigrate.attest.eventlog.EventData.Text) d).text() + "'").orElse("");
            events.add(event.index() + " " + event.typeName() + text);
        }
        return events.toString();
    }

    @Override
    public String toString() {
        return "ReferencePcrPolicy[" + id + ", PCRs " + referenceValues.keySet() + ", launch PCR " + launchPcr
                + ", VM measurements " + allowedLaunch.keySet() + ", digest " + digest.toHex() + "]";
    }

    /** Collects the parts; {@link #build()} validates them. */
    public static final class Builder {
        private final String id;
        private int launchPcr = 15;
        private final Map<Integer, Set<String>> referenceValues = new TreeMap<>();
        private final Set<EventType> acceptedEventTypes = EnumSet.noneOf(EventType.class);
        private final Map<String, Set<String>> allowedLaunch = new TreeMap<>();

        private Builder(String id) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("policy id '" + id + "' must match " + ID.pattern());
            }
            this.id = id;
        }

        public Builder launchPcr(int pcr) {
            if (pcr < 8 || pcr > 15) {
                throw new IllegalArgumentException("launch PCR " + pcr + " must be one of 8..15");
            }
            this.launchPcr = pcr;
            return this;
        }

        /** Allows {@code value} for SHA-256 PCR {@code pcr} (call again to allow several). */
        public Builder reference(int pcr, byte[] value) {
            if (pcr < 0 || pcr > 23) {
                throw new IllegalArgumentException("PCR " + pcr + " outside 0..23");
            }
            if (value.length != HashAlgorithm.SHA256.digestSize()) {
                throw new IllegalArgumentException("PCR sha256:" + pcr + " value has " + value.length
                        + " bytes, not 32");
            }
            referenceValues.computeIfAbsent(pcr, p -> new TreeSet<>()).add(HexFormat.of().formatHex(value));
            return this;
        }

        public Builder acceptEventType(EventType type) {
            acceptedEventTypes.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /** Allows one launch measurement: a name and the SHA-256 of the measured content. */
        public Builder allowLaunch(String name, byte[] contentDigest) {
            if (name == null || !MEASUREMENT_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("measurement name '" + name + "' must match "
                        + MEASUREMENT_NAME.pattern());
            }
            if (contentDigest.length != HashAlgorithm.SHA256.digestSize()) {
                throw new IllegalArgumentException("measurement " + name + " digest has " + contentDigest.length
                        + " bytes, not 32");
            }
            allowedLaunch.computeIfAbsent(name, n -> new TreeSet<>()).add(HexFormat.of().formatHex(contentDigest));
            return this;
        }

        /** Allows every measurement of a VM as measured here (firmware, kernel, ..., configuration). */
        public Builder allowVm(LaunchMeasurement measurement) {
            for (LaunchMeasurement.Event event : measurement.events()) {
                allowLaunch(event.name(), event.contentDigest());
            }
            return this;
        }

        /**
         * @throws IllegalArgumentException if no host PCR is pinned, the launch PCR is also pinned,
         *     or no VM measurement is allowed
         */
        public ReferencePcrPolicy build() {
            if (referenceValues.isEmpty()) {
                throw new IllegalArgumentException("policy " + id + " pins no host PCR");
            }
            if (referenceValues.containsKey(launchPcr)) {
                throw new IllegalArgumentException("policy " + id + " pins the launch PCR " + launchPcr
                        + ", whose value changes with every VM launch");
            }
            if (allowedLaunch.isEmpty()) {
                throw new IllegalArgumentException("policy " + id + " allows no VM launch measurement");
            }
            return new ReferencePcrPolicy(this);
        }
    }
}
