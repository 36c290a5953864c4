package org.vtpmmigrate.engine.internal.migration;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.TcgEvent;

/**
 * How a VM launch measurement is written into the host's event log: an EV_EVENT_TAG event in the
 * launch PCR whose data is a TCG_PCClientTaggedEvent (tag {@value #TAG_TEXT}) carrying the text
 * {@code vm=ID name=NAME sha256=HEX}, and whose digest is the hypervisor's extend digest
 * SHA-256({@value #EXTEND_DOMAIN} || 0x00 || name || 0x00 || content digest). The name and the
 * content are measured; the VM id is a label the log gives and the quote does not cover.
 */
final class LaunchEvents {
    /** Domain separation string of the extend digest (hypervisor LaunchMeasurement.EXTEND_DOMAIN). */
    static final String EXTEND_DOMAIN = "vtpm-migrate launch-event v1";
    static final String TAG_TEXT = "VTML";
    private static final int TAG = ByteBuffer.wrap(TAG_TEXT.getBytes(StandardCharsets.US_ASCII))
            .order(ByteOrder.LITTLE_ENDIAN).getInt();
    private static final Pattern TEXT = Pattern.compile(
            "vm=([A-Za-z0-9][A-Za-z0-9._-]{0,63}) name=([a-z0-9][a-z0-9._:-]{0,63}) sha256=([0-9a-f]{64})");
    private static final int MAX_DATA = 8 + 256;

    /** One launch event as logged. */
    record LaunchEvent(int logIndex, String vmId, String name, byte[] contentDigest) {
        LaunchEvent {
            contentDigest = contentDigest.clone();
        }

        @Override
        public byte[] contentDigest() {
            return contentDigest.clone();
        }

        /** Same VM, measurement name and content. */
        boolean matches(String vm, String measurement, byte[] digest) {
            return vmId.equals(vm) && name.equals(measurement) && Arrays.equals(contentDigest, digest);
        }

        @Override
        public String toString() {
            return "event " + logIndex + " (" + vmId + " " + name + "=sha256:" + HexFormat.of().formatHex(contentDigest)
                    + ")";
        }
    }

    private LaunchEvents() {
    }

    /** The bytes whose bank hash is extended for one measurement; SHA-256 of them is the extend digest. */
    static byte[] measuredBytes(String name, byte[] contentDigest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(EXTEND_DOMAIN.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(contentDigest);
        return out.toByteArray();
    }

    static byte[] extendDigest(String name, byte[] contentDigest) {
        return HashAlgorithm.SHA256.digest(measuredBytes(name, contentDigest));
    }

    /** The TCG_PCClientTaggedEvent for one measurement. */
    static byte[] eventData(String vmId, String name, byte[] contentDigest) {
        String text = "vm=" + vmId + " name=" + name + " sha256=" + HexFormat.of().formatHex(contentDigest);
        if (!TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("launch event '" + text + "' has a VM id or name outside the format");
        }
        byte[] utf8 = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + utf8.length).order(ByteOrder.LITTLE_ENDIAN).putInt(TAG).putInt(utf8.length)
                .put(utf8).array();
    }

    /**
     * Decodes a launch event, strictly.
     *
     * @return the event, or empty with {@code problem} filled when the event is not a well-formed
     *     launch event whose digest is the extend digest of its data
     */
    static Optional<LaunchEvent> decode(TcgEvent event, StringBuilder problem) {
        String where = "event " + event.index() + " (" + event.typeName() + ", PCR " + event.pcrIndex() + ")";
        if (event.type().orElse(null) != EventType.EV_EVENT_TAG) {
            problem.append(where).append(" is not an EV_EVENT_TAG launch event");
            return Optional.empty();
        }
        byte[] data = event.data();
        if (data.length < 8 || data.length > MAX_DATA) {
            problem.append(where).append(": ").append(data.length).append(" data bytes, a launch event has 8..")
                    .append(MAX_DATA);
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int tag = in.getInt();
        long size = in.getInt() & 0xFFFFFFFFL;
        if (tag != TAG) {
            problem.append(where).append(String.format(": tagged event id 0x%08X is not the launch tag '%s'", tag,
                    TAG_TEXT));
            return Optional.empty();
        }
        if (size != data.length - 8L) {
            problem.append(where).append(": taggedEventDataSize ").append(size).append(" but ")
                    .append(data.length - 8).append(" bytes follow");
            return Optional.empty();
        }
        String text = new String(data, 8, data.length - 8, StandardCharsets.US_ASCII);
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            problem.append(where).append(": text does not read 'vm=ID name=NAME sha256=HEX'");
            return Optional.empty();
        }
        byte[] content = HexFormat.of().parseHex(m.group(3));
        byte[] logged = event.digest(HashAlgorithm.SHA256).orElse(null);
        byte[] expected = extendDigest(m.group(2), content);
        if (logged == null || !MessageDigest.isEqual(logged, expected)) {
            problem.append(where).append(": its sha256 digest is not the extend digest of ").append(m.group(2))
                    .append("=sha256:").append(m.group(3)).append(" (a relabelled or altered measurement)");
            return Optional.empty();
        }
        return Optional.of(new LaunchEvent(event.index(), m.group(1), m.group(2), content));
    }
}
