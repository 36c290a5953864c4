package org.vtpmmigrate.attest.eventlog.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

import org.vtpmmigrate.attest.eventlog.EventData;
import org.vtpmmigrate.attest.eventlog.EventType;

/**
 * Decodes event data by event type, one method per structure of the PC Client Platform
 * Firmware Profile. Event data is untrusted and never affects replay, so data that does not have
 * the structure its type calls for is left undecoded (null) instead of failing the log.
 */
public final class EventDataDecoder {
    /** The 16-byte signature of the StartupLocality EV_NO_ACTION event, NUL included. */
    public static final byte[] STARTUP_LOCALITY_SIGNATURE = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);
    private static final int NO_ACTION_SIGNATURE_LENGTH = 16;
    private static final int FIRMWARE_BLOB_LENGTH = 16;
    /** EFI_GUID + UnicodeNameLength + VariableDataLength. */
    private static final int VARIABLE_HEADER_LENGTH = 32;

    private EventDataDecoder() {
    }

    /** The decoded data, or null when the type has no decoder or the data does not fit it. */
    public static EventData decode(long typeValue, byte[] data) {
        Optional<EventType> type = EventType.fromValue(typeValue);
        if (type.isEmpty()) {
            return null;
        }
        try {
            switch (type.get()) {
                case EV_NO_ACTION:
                    return noAction(data);
                case EV_EFI_VARIABLE_DRIVER_CONFIG:
                case EV_EFI_VARIABLE_BOOT:
                case EV_EFI_VARIABLE_BOOT2:
                case EV_EFI_VARIABLE_AUTHORITY:
                    return efiVariable(data);
                case EV_EFI_BOOT_SERVICES_APPLICATION:
                case EV_EFI_BOOT_SERVICES_DRIVER:
                case EV_EFI_RUNTIME_SERVICES_DRIVER:
                    return imageLoad(data);
                case EV_SEPARATOR:
                    return separator(data);
                case EV_EFI_PLATFORM_FIRMWARE_BLOB:
                    return firmwareBlob(data);
                case EV_POST_CODE:
                case EV_S_CRTM_CONTENTS:
                    // PFP: either a string ("POST CODE", "Boot Guard Measured S-CRTM") or a firmware blob
                    EventData asText = text(data);
                    return asText != null ? asText : firmwareBlob(data);
                case EV_S_CRTM_VERSION:
                case EV_EFI_ACTION:
                case EV_ACTION:
                case EV_IPL:
                case EV_EFI_HCRTM_EVENT:
                case EV_OMIT_BOOT_DEVICE_EVENTS:
                    return text(data);
                default:
                    return null;
            }
        } catch (LittleEndianReader.OutOfBoundsException e) {
            return null;
        }
    }

    /** The locality of a StartupLocality event, or -1 if {@code data} is not one. */
    public static int startupLocality(byte[] data) {
        if (data.length != STARTUP_LOCALITY_SIGNATURE.length + 1
                || !new LittleEndianReader(data).startsWith(STARTUP_LOCALITY_SIGNATURE)) {
            return -1;
        }
        return data[STARTUP_LOCALITY_SIGNATURE.length] & 0xFF;
    }

    private static EventData noAction(byte[] data) {
        int locality = startupLocality(data);
        if (locality >= 0) {
            return new EventData.StartupLocality(locality);
        }
        if (data.length < NO_ACTION_SIGNATURE_LENGTH) {
            return null;
        }
        int end = 0;
        while (end < NO_ACTION_SIGNATURE_LENGTH && data[end] != 0) {
            end++;
        }
        String signature = new String(data, 0, end, StandardCharsets.ISO_8859_1);
        return EfiText.printable(signature) && !signature.isEmpty() ? new EventData.NoActionSignature(signature) : null;
    }

    private static EventData efiVariable(byte[] data) throws LittleEndianReader.OutOfBoundsException {
        LittleEndianReader r = new LittleEndianReader(data);
        if (r.remaining() < VARIABLE_HEADER_LENGTH) {
            return null;
        }
        UUID guid = EfiText.guid(r.bytes("VariableName", 16), 0);
        long nameChars = r.u64("UnicodeNameLength");
        long dataLength = r.u64("VariableDataLength");
        if (nameChars < 0 || nameChars > r.remaining() / 2) {
            return null;
        }
        int nameBytes = (int) nameChars * 2;
        int nameOffset = r.offset();
        r.skip("UnicodeName", nameBytes);
        int dataLen = r.length("VariableData", dataLength, r.remaining());
        byte[] variableData = r.bytes("VariableData", dataLen);
        Optional<String> name = EfiText.ucs2(data, nameOffset, nameBytes);
        return name.map(n -> new EventData.EfiVariable(guid, n, variableData)).orElse(null);
    }

    private static EventData imageLoad(byte[] data) throws LittleEndianReader.OutOfBoundsException {
        LittleEndianReader r = new LittleEndianReader(data);
        long location = r.u64("ImageLocationInMemory");
        long length = r.u64("ImageLengthInMemory");
        long linkTime = r.u64("ImageLinkTimeAddress");
        long pathLength = r.u64("LengthOfDevicePath");
        int len = r.length("DevicePath", pathLength, r.remaining());
        DevicePathDecoder.Decoded path = DevicePathDecoder.decode(data, r.offset(), len);
        return new EventData.ImageLoad(location, length, linkTime, path.text(), path.filePath());
    }

    private static EventData separator(byte[] data) throws LittleEndianReader.OutOfBoundsException {
        if (data.length != 4) {
            return null;
        }
        return new EventData.Separator(new LittleEndianReader(data).u32("Separator"));
    }

    private static EventData firmwareBlob(byte[] data) throws LittleEndianReader.OutOfBoundsException {
        if (data.length != FIRMWARE_BLOB_LENGTH) {
            return null;
        }
        LittleEndianReader r = new LittleEndianReader(data);
        return new EventData.FirmwareBlob(r.u64("BlobBase"), r.u64("BlobLength"));
    }

    private static EventData text(byte[] data) {
        return EfiText.text(data).map(EventData.Text::new).orElse(null);
    }
}
