package org.vtpmmigrate.discovery.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * DNS-SD TXT record data (RFC 6763 section 6): a sequence of length-prefixed {@code key=value} strings.
 * Only what announcements need: keys are printable ASCII, values are read as ASCII text.
 */
public final class TxtRecord {
    /**
     * Largest TXT data accepted. RFC 6763 6.2 asks for at most 1300 bytes; an announcement of ours needs
     * under 150, so anything much larger is not one and is refused before parsing.
     */
    public static final int MAX_BYTES = 512;

    private TxtRecord() {
    }

    /** Whether the data holds no attributes: nothing, or the single empty string of an empty TXT record. */
    public static boolean isEmpty(byte[] data) {
        return data == null || data.length == 0 || (data.length == 1 && data[0] == 0);
    }

    /** Encodes attributes in the given order; each {@code key=value} must fit in 255 bytes. */
    public static byte[] encode(Map<String, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            checkKey(a.getKey());
            byte[] string = (a.getKey() + "=" + a.getValue()).getBytes(StandardCharsets.US_ASCII);
            if (string.length > 255) {
                throw new IllegalArgumentException("TXT attribute '" + a.getKey() + "' is " + string.length
                        + " bytes, more than 255");
            }
            out.write(string.length);
            out.writeBytes(string);
        }
        return out.toByteArray();
    }

    /**
     * Decodes TXT data into attributes keyed by lower-case key (keys are case-insensitive). As RFC 6763
     * 6.4 requires, empty strings and strings starting with '=' are skipped and only the first occurrence
     * of a key counts. A key without '=' maps to the empty string.
     *
     * @throws MalformedAnnouncementException if the data is too long, truncated, or a key or value is
     *         not printable ASCII; the message gives the byte offset
     */
    public static Map<String, String> decode(byte[] data) throws MalformedAnnouncementException {
        if (data.length > MAX_BYTES) {
            throw new MalformedAnnouncementException("TXT record is " + data.length + " bytes, more than "
                    + MAX_BYTES);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        int offset = 0;
        while (offset < data.length) {
            int length = data[offset] & 0xff;
            int start = offset + 1;
            if (start + length > data.length) {
                throw new MalformedAnnouncementException("TXT string at offset " + offset + " declares " + length
                        + " bytes but only " + (data.length - start) + " remain");
            }
            int equals = -1;
            for (int i = start; i < start + length; i++) {
                int b = data[i] & 0xff;
                if (b < 0x20 || b > 0x7e) {
                    throw new MalformedAnnouncementException("TXT string at offset " + offset
                            + " has non-printable byte 0x" + Integer.toHexString(b) + " at offset " + i);
                }
                if (b == '=' && equals < 0) {
                    equals = i;
                }
            }
            if (length > 0 && equals != start) {
                int keyEnd = equals < 0 ? start + length : equals;
                String key = new String(data, start, keyEnd - start, StandardCharsets.US_ASCII)
                        .toLowerCase(Locale.ROOT);
                String value = equals < 0 ? ""
                        : new String(data, equals + 1, start + length - equals - 1, StandardCharsets.US_ASCII);
                attributes.putIfAbsent(key, value);
            }
            offset = start + length;
        }
        return Collections.unmodifiableMap(attributes);
    }

    private static void checkKey(String key) {
        if (key.isEmpty() || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e && c != '=')) {
            throw new IllegalArgumentException("TXT key '" + key + "' must be non-empty printable ASCII without '='");
        }
    }
}
