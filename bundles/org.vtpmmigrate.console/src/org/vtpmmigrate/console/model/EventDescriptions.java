package org.vtpmmigrate.console.model;

import java.util.HexFormat;
import java.util.Optional;
import java.util.StringJoiner;

import org.vtpmmigrate.attest.eventlog.EventData;
import org.vtpmmigrate.attest.eventlog.EventDigest;
import org.vtpmmigrate.attest.eventlog.SpecIdEvent;
import org.vtpmmigrate.attest.eventlog.TcgEvent;

/**
 * Event data in words for the inspector: the EFI variable, the boot application, the text an event
 * carries. What an event claims is not what was measured (only its digest is): the inspector shows
 * these next to the digests, never instead of them.
 */
public final class EventDescriptions {
    private static final int MAX_TEXT = 200;

    private EventDescriptions() {
    }

    public static String describe(TcgEvent event) {
        Optional<EventData> decoded = event.decoded();
        if (decoded.isEmpty()) {
            return event.dataLength() == 0 ? "" : event.dataLength() + " bytes of data";
        }
        EventData data = decoded.get();
        if (data instanceof EventData.EfiVariable v) {
            return "EFI variable " + v.unicodeName() + " (" + vendor(v) + ", " + v.variableData().length + " bytes)";
        }
        if (data instanceof EventData.ImageLoad i) {
            return "boot application " + i.filePath().orElse(i.devicePath()) + " (" + i.imageLengthInMemory()
                    + " bytes in memory)";
        }
        if (data instanceof EventData.Separator s) {
            return s.signalsError() ? "separator signalling an error (0x" + Long.toHexString(s.value()) + ")"
                    : "separator";
        }
        if (data instanceof EventData.Text t) {
            return "\"" + shorten(t.text()) + "\"";
        }
        if (data instanceof EventData.StartupLocality l) {
            return "startup locality " + l.locality();
        }
        if (data instanceof EventData.NoActionSignature n) {
            return "no-action event \"" + n.signature() + "\"";
        }
        if (data instanceof EventData.FirmwareBlob f) {
            return "firmware blob at 0x" + Long.toHexString(f.base()) + " (" + f.length() + " bytes)";
        }
        if (data instanceof SpecIdEvent s) {
            StringJoiner algorithms = new StringJoiner(", ");
            s.algorithms().forEach(a -> algorithms.add(a.algorithm().map(h -> h.bankName())
                    .orElse(String.format("alg 0x%04X", a.algorithmId()))));
            return "Spec ID event " + s.specVersionMajor() + "." + s.specVersionMinor() + ", digests " + algorithms;
        }
        return data.toString();
    }

    /** The event's digests, one "bank:hex" per line. */
    public static String digests(TcgEvent event) {
        StringJoiner out = new StringJoiner("\n");
        for (EventDigest d : event.digests()) {
            out.add(d.algorithmName() + ":" + HexFormat.of().formatHex(d.value()));
        }
        return out.toString();
    }

    private static String vendor(EventData.EfiVariable v) {
        if (EventData.EFI_GLOBAL_VARIABLE.equals(v.vendorGuid())) {
            return "EFI global variable";
        }
        if (EventData.EFI_IMAGE_SECURITY_DATABASE.equals(v.vendorGuid())) {
            return "image security database";
        }
        return "vendor " + v.vendorGuid();
    }

    private static String shorten(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ').strip();
        return oneLine.length() > MAX_TEXT ? oneLine.substring(0, MAX_TEXT) + "..." : oneLine;
    }
}
