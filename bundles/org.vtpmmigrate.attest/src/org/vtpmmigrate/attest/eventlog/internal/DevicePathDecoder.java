package org.vtpmmigrate.attest.eventlog.internal;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * UEFI device paths (UEFI 2.x chapter 10) from image-load events, rendered in the UEFI text
 * form for the node kinds that boot chains use (PciRoot, Pci, SCSI, Sata, USB, MAC, HD,
 * File, Offset, FvVol, FvFile); other nodes use the generic {@code Path(type,subtype,hex)} form. The
 * file path nodes are also joined into one file path, e.g. {@code \EFI\BOOT\BOOTX64.EFI}.
 */
public final class DevicePathDecoder {
    private static final int TYPE_HARDWARE = 0x01;
    private static final int TYPE_ACPI = 0x02;
    private static final int TYPE_MESSAGING = 0x03;
    private static final int TYPE_MEDIA = 0x04;
    private static final int TYPE_END = 0x7F;
    private static final int END_INSTANCE = 0x01;
    private static final int NODE_HEADER = 4;
    /** EISA-compressed PNP0A03 / PNP0A08: the PCI and PCI Express root bridges. */
    private static final long HID_PCI_ROOT = 0x0A0341D0L;
    private static final long HID_PCIE_ROOT = 0x0A0841D0L;

    /** Text form of the whole path, and the file path if the path has file path nodes. */
    public record Decoded(String text, Optional<String> filePath) {
    }

    private DevicePathDecoder() {
    }

    /**
     * Decodes {@code b[off..off+len)}. Stops at the end-of-path node; bytes after it are
     * ignored (several firmwares pad the event). Fails on a node whose length leaves the range.
     */
    public static Decoded decode(byte[] b, int off, int len) throws LittleEndianReader.OutOfBoundsException {
        LittleEndianReader r = new LittleEndianReader(b, off, off + len);
        List<String> nodes = new ArrayList<>();
        StringBuilder file = null;
        while (r.remaining() >= NODE_HEADER) {
            int nodeStart = r.offset();
            int type = r.u8("DevicePath.Type");
            int subType = r.u8("DevicePath.SubType");
            int nodeLen = r.u16("DevicePath.Length");
            if (nodeLen < NODE_HEADER) {
                throw new LittleEndianReader.OutOfBoundsException("DevicePath.Length", nodeStart,
                        "node length " + nodeLen + " is shorter than the 4-byte node header");
            }
            int bodyLen = r.length("DevicePath.Length", nodeLen - NODE_HEADER, Integer.MAX_VALUE);
            int body = r.offset();
            r.skip("DevicePath.Data", bodyLen);
            if (type == TYPE_END) {
                if (subType == END_INSTANCE) {
                    nodes.add(",");
                    continue;
                }
                break;
            }
            if (type == TYPE_MEDIA && subType == 0x04) {
                String name = EfiText.ucs2(b, body, bodyLen - (bodyLen % 2)).orElse("?");
                nodes.add("File(" + name + ")");
                file = appendPath(file, name);
                continue;
            }
            nodes.add(render(type, subType, b, body, bodyLen));
        }
        return new Decoded(join(nodes), Optional.ofNullable(file).map(StringBuilder::toString));
    }

    private static StringBuilder appendPath(StringBuilder file, String part) {
        if (file == null) {
            return new StringBuilder(part);
        }
        boolean endsWithSep = file.length() > 0 && file.charAt(file.length() - 1) == '\\';
        boolean startsWithSep = part.startsWith("\\");
        if (!endsWithSep && !startsWithSep) {
            file.append('\\');
        } else if (endsWithSep && startsWithSep) {
            part = part.substring(1);
        }
        return file.append(part);
    }

    private static String join(List<String> nodes) {
        StringBuilder sb = new StringBuilder();
        for (String n : nodes) {
            if (n.equals(",")) {
                sb.append(',');
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ',') {
                sb.append('/');
            }
            sb.append(n);
        }
        return sb.toString();
    }

    private static String render(int type, int subType, byte[] b, int body, int len) {
        if (type == TYPE_HARDWARE && subType == 0x01 && len == 2) {
            // PCI_DEVICE_PATH: Function, then Device; the text form names the device first
            return "Pci(0x" + Integer.toHexString(b[body + 1] & 0xFF) + ",0x" + Integer.toHexString(b[body] & 0xFF)
                    + ")";
        }
        if (type == TYPE_ACPI && subType == 0x01 && len == 8) {
            long hid = u32(b, body);
            long uid = u32(b, body + 4);
            if (hid == HID_PCI_ROOT) {
                return "PciRoot(0x" + Long.toHexString(uid) + ")";
            }
            if (hid == HID_PCIE_ROOT) {
                return "PcieRoot(0x" + Long.toHexString(uid) + ")";
            }
            return "Acpi(0x" + Long.toHexString(hid) + ",0x" + Long.toHexString(uid) + ")";
        }
        if (type == TYPE_MESSAGING && subType == 0x02 && len == 4) {
            return "SCSI(" + u16(b, body) + "," + u16(b, body + 2) + ")";
        }
        if (type == TYPE_MESSAGING && subType == 0x05 && len == 2) {
            return "USB(" + (b[body] & 0xFF) + "," + (b[body + 1] & 0xFF) + ")";
        }
        if (type == TYPE_MESSAGING && subType == 0x0B && len == 33 && (b[body + 32] & 0xFF) <= 1) {
            // MAC_ADDR_DEVICE_PATH: 32-byte address field, 6 of them used for Ethernet (IfType 0/1)
            return "MAC(" + HexFormat.of().formatHex(b, body, body + 6) + "," + (b[body + 32] & 0xFF) + ")";
        }
        if (type == TYPE_MESSAGING && subType == 0x12 && len == 6) {
            return "Sata(" + u16(b, body) + "," + u16(b, body + 2) + "," + u16(b, body + 4) + ")";
        }
        if (type == TYPE_MEDIA && subType == 0x01 && len == 38) {
            return hardDrive(b, body);
        }
        if (type == TYPE_MEDIA && subType == 0x06 && len == 16) {
            return "FvFile(" + EfiText.guid(b, body) + ")";
        }
        if (type == TYPE_MEDIA && subType == 0x07 && len == 16) {
            return "FvVol(" + EfiText.guid(b, body) + ")";
        }
        if (type == TYPE_MEDIA && subType == 0x08 && len == 20) {
            return "Offset(0x" + Long.toHexString(u64(b, body + 4)) + ",0x" + Long.toHexString(u64(b, body + 12)) + ")";
        }
        return "Path(" + type + "," + subType + "," + HexFormat.of().formatHex(b, body, body + len) + ")";
    }

    /** HARDDRIVE_DEVICE_PATH: partition number, start, size, signature, MBR/GPT format. */
    private static String hardDrive(byte[] b, int body) {
        long partition = u32(b, body);
        long start = u64(b, body + 4);
        long size = u64(b, body + 12);
        int format = b[body + 36] & 0xFF;
        int signatureType = b[body + 37] & 0xFF;
        String signature;
        String kind;
        if (format == 0x02 && signatureType == 0x02) {
            kind = "GPT";
            signature = EfiText.guid(b, body + 20).toString();
        } else if (format == 0x01 && signatureType == 0x01) {
            kind = "MBR";
            signature = "0x" + String.format("%08x", u32(b, body + 20));
        } else {
            kind = Integer.toString(format);
            signature = HexFormat.of().formatHex(b, body + 20, body + 36);
        }
        return "HD(" + partition + "," + kind + "," + signature + ",0x" + Long.toHexString(start) + ",0x"
                + Long.toHexString(size) + ")";
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    private static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }
}
