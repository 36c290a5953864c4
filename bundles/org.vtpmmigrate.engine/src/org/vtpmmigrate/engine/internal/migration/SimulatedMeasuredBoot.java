package org.vtpmmigrate.engine.internal.migration;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.attest.eventlog.EventType;

/**
 * The "firmware" of a test host whose platform TPM is a freshly started swtpm: nothing measured
 * that TPM, so the engine plays the firmware's part once, at start, measuring a short boot into
 * PCRs 0-7 and writing the matching TCG event log. Hosts with the same profile end with the same
 * PCR values, which a reference-value policy can then pin. A real server's firmware measures the
 * boot itself; this never runs there.
 *
 * @param firmwareVersion measured into PCR 0
 * @param bootLoader measured into PCR 4
 */
public record SimulatedMeasuredBoot(String firmwareVersion, String bootLoader) {
    /** The profile test hosts use unless told otherwise. */
    public static final SimulatedMeasuredBoot DEFAULT = new SimulatedMeasuredBoot("vtpm-migrate simulated firmware 1.0",
            "vtpm-migrate simulated boot loader 1.0");

    /** One boot event: PCR, type, and data (whose bank hashes are extended). */
    public record BootEvent(int pcr, EventType type, byte[] data) {
    }

    public SimulatedMeasuredBoot {
        Objects.requireNonNull(firmwareVersion, "firmwareVersion");
        Objects.requireNonNull(bootLoader, "bootLoader");
    }

    /** The events in boot order. */
    public List<BootEvent> events() {
        List<BootEvent> events = new ArrayList<>();
        events.add(new BootEvent(0, EventType.EV_POST_CODE, ascii(firmwareVersion)));
        events.add(new BootEvent(1, EventType.EV_POST_CODE, ascii("platform configuration: defaults")));
        events.add(new BootEvent(4, EventType.EV_EFI_ACTION, ascii("Calling EFI Application from Boot Option")));
        events.add(new BootEvent(4, EventType.EV_POST_CODE, ascii(bootLoader)));
        for (int pcr = 0; pcr <= 7; pcr++) {
            events.add(new BootEvent(pcr, EventType.EV_SEPARATOR, new byte[4]));
        }
        events.add(new BootEvent(5, EventType.EV_EFI_ACTION, ascii("Exit Boot Services Invocation")));
        return events;
    }

    /** The event types these events use: what a policy for such hosts accepts in PCRs 0-7. */
    public static List<EventType> eventTypes() {
        return List.of(EventType.EV_POST_CODE, EventType.EV_EFI_ACTION, EventType.EV_SEPARATOR);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
