package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Cross-checks parsing and decoding, event by event, with tpm2_eventlog's output that the corpus
 * keeps next to every log ({@code .tpm2_eventlog.yaml}, tpm2-tools 5.4) and with upstream
 * tpm2-tools' own expected output with decoded device paths ({@code event-pretty*}/).
 */
class EventLogToolOutputTest {
    /** tpm2_eventlog 5.4 crashes before printing the last event of this log (MANIFEST). */
    private static final Set<String> YAML_MISSES_LAST_EVENT = Set.of("eventlogs/go-attestation/option_rom_eventlog");
    /** Device path node names {@code DevicePathDecoder} renders in the UEFI text form. */
    private static final Pattern RENDERED_NODES = Pattern.compile(
            "^((PciRoot|PcieRoot|Pci|SCSI|Sata|USB|MAC|HD|File|Offset|FvVol|FvFile)\\([^()]*\\)/?)+$");

    /** One event as tpm2_eventlog printed it; fields it did not print stay null. */
    private static final class ToolEvent {
        long pcr;
        String type;
        final Map<String, String> digests = new LinkedHashMap<>();
        Integer eventSize;
        String eventHex;
        String variableName;
        String unicodeName;
        String blobBase;
        String blobLength;
        String imageLocation;
        Long imageLength;
        String devicePath;
    }

    private static final Pattern LINE = Pattern.compile("^( *)(- )?(\\w+): ?(.*)$");

    /** The events of a tpm2_eventlog YAML document, in order (only the fields compared below). */
    private static List<ToolEvent> toolEvents(Path yaml) {
        List<ToolEvent> events = new ArrayList<>();
        ToolEvent current = null;
        String algorithm = null;
        for (String line : TestCorpus.text(yaml).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            String key = m.group(3);
            String value = unquote(m.group(4).trim());
            if (indent == 2 && key.equals("PCRIndex")) {
                current = new ToolEvent();
                current.pcr = Long.parseLong(value);
                events.add(current);
                continue;
            }
            if (current == null) {
                continue;
            }
            switch (key) {
                case "EventType" -> current.type = value;
                case "AlgorithmId" -> algorithm = value;
                case "Digest" -> current.digests.put(indent == 2 ? "sha1" : algorithm, value);
                case "EventSize" -> current.eventSize = Integer.valueOf(value);
                case "Event" -> current.eventHex = value.matches("[0-9a-f]+") ? value : null;
                case "VariableName" -> current.variableName = value;
                case "UnicodeName" -> current.unicodeName = value;
                case "BlobBase" -> current.blobBase = value;
                case "BlobLength" -> current.blobLength = value;
                case "ImageLocationInMemory" -> current.imageLocation = value;
                case "ImageLengthInMemory" -> current.imageLength = Long.valueOf(value);
                case "DevicePath" -> {
                    if (indent == 4) { // deeper ones belong to boot variables, not to image loads
                        current.devicePath = value;
                    }
                }
                default -> {
                }
            }
        }
        return events;
    }

    private static boolean toolFailed(Path stderr) {
        return Files.exists(stderr) && TestCorpus.text(stderr).contains("ERROR");
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    @TestFactory
    Stream<DynamicTest> eventsAgreeWithTpm2Eventlog() {
        return EventLogCorpusTest.replayableLogs().stream()
                .filter(p -> Files.exists(p.resolveSibling(p.getFileName() + ".tpm2_eventlog.yaml")))
                // where tpm2_eventlog refused the log (short_no_action_eventlog) it printed no events
                .filter(p -> !toolFailed(p.resolveSibling(p.getFileName() + ".tpm2_eventlog.stderr")))
                .map(p -> DynamicTest.dynamicTest(TestCorpus.relative(p), () -> {
                    List<ToolEvent> tool = toolEvents(p.resolveSibling(p.getFileName() + ".tpm2_eventlog.yaml"));
                    compare(TestCorpus.relative(p), EventLog.read(p), tool, false);
                }));
    }

    @TestFactory
    Stream<DynamicTest> devicePathsAndVariablesAgreeWithUpstreamPrettyOutput() {
        Path upstream = TestCorpus.path("eventlogs/tpm2-tools/upstream");
        List<Path> yamls = new ArrayList<>();
        for (String dir : List.of("event-pretty", "event-pretty-39")) {
            yamls.addAll(TestCorpus.files(upstream.resolve(dir), p -> p.toString().endsWith(".bin.yaml")));
        }
        assertTrue(yamls.size() >= 20, "expected the 2 x 10 upstream pretty outputs, found " + yamls.size());
        return yamls.stream().map(y -> DynamicTest.dynamicTest(TestCorpus.relative(y), () -> {
            String bin = y.getFileName().toString().replaceFirst("\\.yaml$", "");
            compare(TestCorpus.relative(y), EventLog.read(upstream.resolve(bin)), toolEvents(y), true);
        }));
    }

    private static void compare(String name, EventLog log, List<ToolEvent> tool, boolean pretty) {
        List<TcgEvent> events = log.events();
        if (YAML_MISSES_LAST_EVENT.contains(name)) {
            assertEquals(events.size() - 1, tool.size(), name + ": tool printed all but the last event");
        } else {
            assertEquals(events.size(), tool.size(), name + ": event count");
        }
        int devicePathsCompared = 0;
        for (int i = 0; i < tool.size(); i++) {
            TcgEvent mine = events.get(i);
            ToolEvent theirs = tool.get(i);
            String where = name + " event " + i;
            assertEquals(theirs.pcr, mine.pcrIndex(), where + " PCR");
            if (theirs.type.startsWith("EV_")) {
                assertEquals(theirs.type, mine.typeName(), where + " type");
            } else {
                assertTrue(mine.type().isEmpty() || !pretty && mine.typeValue() >= 0x80000010L,
                        where + ": the tool did not know type " + mine.typeName());
            }
            Map<String, String> digests = new LinkedHashMap<>();
            mine.digests().forEach(d -> digests.put(d.algorithmName(), HexFormat.of().formatHex(d.value())));
            assertEquals(theirs.digests, digests, where + " digests");
            if (theirs.eventSize != null) {
                assertEquals(theirs.eventSize, mine.dataLength(), where + " event size");
            }
            if (theirs.eventHex != null) {
                // tpm2_eventlog prints at most a prefix of long event data
                String data = HexFormat.of().formatHex(mine.data());
                assertTrue(data.startsWith(theirs.eventHex), where + " event data starts with the tool's: " + data);
            }
            Optional<EventData> decoded = mine.decoded();
            if (theirs.unicodeName != null) {
                EventData.EfiVariable v = (EventData.EfiVariable) decoded.orElseThrow(
                        () -> new AssertionError(where + ": variable event not decoded"));
                assertEquals(theirs.unicodeName, v.unicodeName(), where + " UnicodeName");
                assertEquals(theirs.variableName, v.vendorGuid().toString(), where + " VariableName");
            }
            // the tool prints any EV_S_CRTM_CONTENTS as a blob, even 27 bytes of text; compare real blobs
            if (theirs.blobBase != null && mine.dataLength() == 16) {
                if (!(decoded.orElse(null) instanceof EventData.FirmwareBlob blob)) {
                    fail(where + ": the tool decoded a firmware blob, this parser did not: " + decoded);
                    return;
                }
                assertEquals(theirs.blobBase, "0x" + Long.toHexString(blob.base()), where + " BlobBase");
                assertEquals(theirs.blobLength, "0x" + Long.toHexString(blob.length()), where + " BlobLength");
            }
            if (theirs.imageLocation != null) {
                EventData.ImageLoad image = (EventData.ImageLoad) decoded.orElseThrow(
                        () -> new AssertionError(where + ": image load event not decoded"));
                assertEquals(theirs.imageLocation, "0x" + Long.toHexString(image.imageLocationInMemory()),
                        where + " ImageLocationInMemory");
                assertEquals(theirs.imageLength, image.imageLengthInMemory(), where + " ImageLengthInMemory");
                if (pretty) {
                    devicePathsCompared += compareDevicePath(where, theirs.devicePath, image);
                }
            }
        }
        if (pretty && tool.stream().anyMatch(t -> t.devicePath != null && t.devicePath.contains("\\"))) {
            assertTrue(devicePathsCompared > 0, name + ": no file path compared");
        }
    }

    /**
     * Compares the file path always and the whole text when every node is one the decoder
     * renders. Older libefivar prints file nodes as {@code File(\x)}, newer ones as {@code /\x}.
     */
    private static int compareDevicePath(String where, String theirs, EventData.ImageLoad image) {
        Matcher file = Pattern.compile("File\\(([^()]*)\\)|(?:^|/)(\\\\[^/]*)").matcher(theirs);
        StringBuilder path = null;
        while (file.find()) {
            String part = file.group(1) != null ? file.group(1) : file.group(2);
            path = path == null ? new StringBuilder(part) : path.append(part);
        }
        assertEquals(Optional.ofNullable(path).map(StringBuilder::toString), image.filePath(), where + " file path");
        if (!theirs.isEmpty() && RENDERED_NODES.matcher(theirs).matches()) {
            assertEquals(theirs, image.devicePath(), where + " device path");
        }
        return path == null ? 0 : 1;
    }
}
