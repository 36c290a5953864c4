package org.vtpmmigrate.attest.eventlog;

import java.util.Optional;
import java.util.UUID;

/**
 * The decoded form of an event's data, for the event types whose structure the PC Client
 * Platform Firmware Profile defines and policy needs. Event data is not what the TPM measured
 * (only the digest is), so none of this is trusted until the digest has been checked against
 * it or the event is accepted for another reason.
 */
public sealed interface EventData permits SpecIdEvent, EventData.StartupLocality, EventData.NoActionSignature,
        EventData.EfiVariable, EventData.ImageLoad, EventData.Separator, EventData.Text, EventData.FirmwareBlob {

    /** EFI_GLOBAL_VARIABLE: SecureBoot, PK, KEK, Boot####, BootOrder. */
    UUID EFI_GLOBAL_VARIABLE = UUID.fromString("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    /** EFI_IMAGE_SECURITY_DATABASE_GUID: db, dbx. */
    UUID EFI_IMAGE_SECURITY_DATABASE = UUID.fromString("d719b2cb-3d3a-4596-a3bc-dad00e67656f");

    /**
     * EV_NO_ACTION "StartupLocality": the locality TPM2_Startup ran at, which is PCR 0's initial
     * value (0..0L) instead of zero.
     */
    record StartupLocality(int locality) implements EventData {
    }

    /** Any other EV_NO_ACTION event, by its 16-byte signature (e.g. "SP800-155 Event"). */
    record NoActionSignature(String signature) implements EventData {
    }

    /**
     * UEFI_VARIABLE_DATA of EV_EFI_VARIABLE_DRIVER_CONFIG, _BOOT, _BOOT2 and _AUTHORITY: the
     * variable's vendor GUID and name ("SecureBoot", "PK", "db") and its data.
     */
    record EfiVariable(UUID vendorGuid, String unicodeName, byte[] variableData) implements EventData {
        public EfiVariable {
            variableData = variableData.clone();
        }

        @Override
        public byte[] variableData() {
            return variableData.clone();
        }

        @Override
        public String toString() {
            return "EfiVariable[" + vendorGuid + " " + unicodeName + ", " + variableData.length + " bytes]";
        }
    }

    /**
     * UEFI_IMAGE_LOAD_EVENT of EV_EFI_BOOT_SERVICES_APPLICATION / _DRIVER and
     * EV_EFI_RUNTIME_SERVICES_DRIVER. {@code devicePath} is the UEFI text form; {@code filePath}
     * is the file the path names, when it has file path nodes (e.g. {@code \EFI\BOOT\BOOTX64.EFI}).
     */
    record ImageLoad(long imageLocationInMemory, long imageLengthInMemory, long imageLinkTimeAddress,
            String devicePath, Optional<String> filePath) implements EventData {
    }

    /** EV_SEPARATOR: 0 in a normal boot; any other value signals an error (PFP). */
    record Separator(long value) implements EventData {
        public boolean signalsError() {
            return value != 0;
        }
    }

    /**
     * A string the event carries: EV_POST_CODE, EV_S_CRTM_CONTENTS, EV_S_CRTM_VERSION (UCS-2),
     * EV_EFI_ACTION, EV_ACTION, EV_IPL (grub commands, systemd-boot kernel command line), EV_EFI_HCRTM_EVENT.
     */
    record Text(String text) implements EventData {
    }

    /**
     * UEFI_PLATFORM_FIRMWARE_BLOB of EV_EFI_PLATFORM_FIRMWARE_BLOB, or of EV_POST_CODE and
     * EV_S_CRTM_CONTENTS in that form.
     */
    record FirmwareBlob(long base, long length) implements EventData {
    }
}
