package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;

/** Event data decoding and the replay rules, on named events of real logs and on built logs. */
class EventLogDecodingTest {

    private static EventLog log(String relative) throws Exception {
        return EventLog.read(TestCorpus.path(relative));
    }

    private static <T extends EventData> T decoded(TcgEvent e, Class<T> type) {
        return assertInstanceOf(type, e.decoded().orElseThrow(() -> new AssertionError(e + " not decoded")));
    }

    /** PCR 0 of {@code bank} computed here, without EventLog: start value, then every extended PCR 0 digest. */
    private static byte[] pcr0ByHand(EventLog log, String jdkAlgorithm, HashAlgorithm bank, int startByte)
            throws Exception {
        byte[] value = new byte[bank.digestSize()];
        value[value.length - 1] = (byte) startByte;
        for (TcgEvent e : log.events()) {
            if (e.pcrIndex() == 0 && e.typeValue() != 3) {
                MessageDigest md = MessageDigest.getInstance(jdkAlgorithm);
                md.update(value);
                md.update(e.digest(bank).orElseThrow());
                value = md.digest();
            }
        }
        return value;
    }

    @Test
    void hcrtmLogStartsPcr0AtFourAndExtendsTheHcrtmDigest() throws Exception {
        EventLog log = log("supplement/eventlogs/tpm2-tss/binary_measurements_hcrtm.bin");
        assertTrue(log.hasHcrtmEvent());
        TcgEvent hcrtm = log.events().get(1);
        assertEquals(Optional.of(EventType.EV_EFI_HCRTM_EVENT), hcrtm.type());
        assertTrue(hcrtm.isExtended());
        assertEquals("HCRTM", decoded(hcrtm, EventData.Text.class).text());
        byte[] start = log.initialValue(HashAlgorithm.SHA256, 0);
        assertEquals(4, start[31]);
        assertArrayEquals(new byte[32], log.initialValue(HashAlgorithm.SHA256, 1));
        assertArrayEquals(pcr0ByHand(log, "SHA-256", HashAlgorithm.SHA256, 4),
                log.replay().get(HashAlgorithm.SHA256, 0).orElseThrow());
        assertTrue(log.banks().contains(HashAlgorithm.SM3_256), "the SM3 bank is replayed too");
    }

    @Test
    void efiVariablesSeparatorsAndCrtmVersionAreDecoded() throws Exception {
        EventLog log = log("supplement/eventlogs/tpm2-tss/binary_measurements_hcrtm.bin");
        assertEquals("Dhyana2.05.43.29.0003", decoded(log.events().get(2), EventData.Text.class).text());
        EventData.EfiVariable secureBoot = decoded(log.events().get(5), EventData.EfiVariable.class);
        assertEquals(EventData.EFI_GLOBAL_VARIABLE, secureBoot.vendorGuid());
        assertEquals("SecureBoot", secureBoot.unicodeName());
        assertEquals(1, secureBoot.variableData().length);
        assertEquals("PK", decoded(log.events().get(6), EventData.EfiVariable.class).unicodeName());
        EventData.EfiVariable db = decoded(log.events().get(8), EventData.EfiVariable.class);
        assertEquals("db", db.unicodeName());
        assertEquals(EventData.EFI_IMAGE_SECURITY_DATABASE, db.vendorGuid());
        EventData.EfiVariable dbx = decoded(log.events().get(9), EventData.EfiVariable.class);
        assertEquals("dbx", dbx.unicodeName());
        assertEquals(76, dbx.variableData().length);
        EventData.Separator separator = decoded(log.events().get(10), EventData.Separator.class);
        assertEquals(0, separator.value());
        assertFalse(separator.signalsError());
    }

    @Test
    void startupLocalitySetsPcr0sInitialValue() throws Exception {
        EventLog log = log("eventlogs/go-eventlog/tpm/glinux-alex.bin");
        TcgEvent locality = log.events().get(1);
        assertFalse(locality.isExtended());
        assertEquals(3, decoded(locality, EventData.StartupLocality.class).locality());
        assertEquals(OptionalInt.of(3), log.startupLocality());
        assertEquals(3, log.initialValue(HashAlgorithm.SHA1, 0)[19]);
        assertArrayEquals(new byte[20], log.initialValue(HashAlgorithm.SHA1, 7));
        byte[] pcr0 = log.replay().get(HashAlgorithm.SHA1, 0).orElseThrow();
        assertArrayEquals(pcr0ByHand(log, "SHA-1", HashAlgorithm.SHA1, 3), pcr0);
        // MANIFEST: the correct PCR0 is 29d23660...8a84, not the locality-0 value tpm2_eventlog 5.4 printed
        assertTrue(HexFormat.of().formatHex(pcr0).startsWith("29d23660"));
    }

    @Test
    void sp800155EventsAreNotExtended() throws Exception {
        byte[] bytes = TestCorpus.bytes("supplement/eventlogs/go-tpm-tools/eventlogwithsp800155.bin");
        EventLog log = EventLog.parse(bytes);
        for (int i : List.of(1, 2)) {
            TcgEvent e = log.events().get(i);
            assertFalse(e.isExtended());
            assertEquals("SP800-155 Event3", decoded(e, EventData.NoActionSignature.class).signature());
        }
        // the same log without the two events replays to the same PCRs
        ByteArrayOutputStream without = new ByteArrayOutputStream();
        without.write(bytes, 0, (int) log.events().get(1).offset());
        int rest = (int) log.events().get(3).offset();
        without.write(bytes, rest, bytes.length - rest);
        EventLog stripped = EventLog.parse(without.toByteArray());
        assertEquals(log.events().size() - 2, stripped.events().size());
        assertEquals(log.replay(), stripped.replay());
    }

    @Test
    void windowsNoActionEventAtPcrFfffffffIsKeptAndNotExtended() throws Exception {
        EventLog log = log("eventlogs/go-attestation/option_rom_eventlog");
        TcgEvent last = log.events().get(log.events().size() - 1);
        assertEquals(0xFFFFFFFFL, last.pcrIndex());
        assertEquals(Optional.of(EventType.EV_NO_ACTION), last.type());
        assertFalse(last.isExtended());
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14), log.replay().indices(HashAlgorithm.SHA1));
    }

    @Test
    void imageLoadEventsGiveTheirDevicePathAndFile() throws Exception {
        EventLog log = log("eventlogs/tpm2-tools/upstream/event-bootorder.bin");
        EventData.ImageLoad shim = decoded(log.events().get(25), EventData.ImageLoad.class);
        assertEquals(Optional.of("\\EFI\\BOOT\\BOOTX64.EFI"), shim.filePath());
        assertEquals("PciRoot(0x0)/Pci(0x6,0x0)/HD(15,GPT,c359e798-596a-42b6-b6f6-eca290429d99,0x2800,0x35000)"
                + "/File(\\EFI\\BOOT\\BOOTX64.EFI)", shim.devicePath());
        assertEquals(1334816, shim.imageLengthInMemory());
        EventData.ImageLoad kernel = decoded(log.events().get(26), EventData.ImageLoad.class);
        assertEquals("", kernel.devicePath());
        assertEquals(Optional.empty(), kernel.filePath());
    }

    @Test
    void actionAndIplStringsAreDecodedFromAsciiAndUcs2() throws Exception {
        EventLog bootorder = log("eventlogs/tpm2-tools/upstream/event-bootorder.bin");
        assertEquals("Calling EFI Application from Boot Option",
                decoded(bootorder.events().get(16), EventData.Text.class).text());
        assertEquals("grub_cmd: [ -z (hd0,gpt15)/boot/grub -o ! -e (hd0,gpt15)/boot/grub ]",
                decoded(bootorder.events().get(27), EventData.Text.class).text());
        // systemd-boot measures the kernel command line as UCS-2
        EventLog arch = log("eventlogs/tpm2-tools/upstream/event-arch-linux.bin");
        String cmdline = decoded(arch.events().get(24), EventData.Text.class).text();
        assertTrue(cmdline.startsWith("initrd=\\intel-ucode.img initrd=\\initramfs-linux-lts.img"), cmdline);
        assertTrue(cmdline.endsWith("l1tf=off"), cmdline);
    }

    @Test
    void postCodeFirmwareBlobIsDecoded() throws Exception {
        EventLog log = log("eventlogs/tpm2-tools/upstream/event-postcode.bin");
        EventData.FirmwareBlob blob = decoded(log.events().get(2), EventData.FirmwareBlob.class);
        assertEquals(0xff130000L, blob.base());
        assertEquals(0xa7f000L, blob.length());
    }

    @Test
    void specIdVendorInfoOutsideTheEventIsAcceptedAsANamedQuirk() throws Exception {
        EventLog quirky = log("eventlogs/tpm2-tools/upstream/specid-vendordata.bin");
        EventLog clean = log("supplement/eventlogs/tpm2-tss/specid-vendordata.bin");
        assertEquals(Set.of(EventLog.Quirk.SPEC_ID_VENDOR_INFO_OUTSIDE_EVENT), quirky.quirks());
        assertEquals(Set.of(), clean.quirks());
        for (EventLog log : List.of(quirky, clean)) {
            assertEquals("deadbeef", HexFormat.of().formatHex(log.specId().orElseThrow().vendorInfo()));
            assertEquals(1, log.events().size());
            assertTrue(log.replay().isEmpty());
        }
    }

    @Test
    void sha1LogWithOnlyAStartupLocalityEventIsAccepted() throws Exception {
        // MANIFEST: "a robust parser accepts it (0 extends)"; tpm2_eventlog 5.4 rejects it
        EventLog log = log("eventlogs/go-attestation/short_no_action_eventlog");
        assertEquals(EventLog.Format.SHA1, log.format());
        assertEquals(1, log.events().size());
        assertEquals(OptionalInt.of(3), log.startupLocality());
        assertTrue(log.replay().isEmpty());
    }

    @Test
    void eventsMayCarryFewerDigestsThanTheSpecIdLists() throws Exception {
        EventLog log = log("eventlogs/tpm2-tools/upstream/event-uefiaction.bin");
        assertEquals(Set.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512),
                log.banks());
        assertEquals(2, log.events().get(1).digests().size());
        PcrValues replayed = log.replay();
        assertEquals(Set.of(4), replayed.indices(HashAlgorithm.SHA256));
        assertTrue(replayed.indices(HashAlgorithm.SHA384).isEmpty());
        assertTrue(log.extendedEvents(HashAlgorithm.SHA384, 4).isEmpty());
    }

    @Test
    void unknownAlgorithmsAreSteppedOverWithTheSpecIdSize() throws Exception {
        byte[] d256 = LogBuilder.filled(32, 0x11);
        byte[] odd = LogBuilder.filled(7, 0x22);
        byte[] bytes = LogBuilder.cryptoAgile(LogBuilder.SHA256, 32, 0x0099, 7)
                .event2(4, LogBuilder.EV_SEPARATOR, new byte[4], 0x0099, odd, LogBuilder.SHA256, d256).build();
        EventLog log = EventLog.parse(bytes);
        assertEquals(List.of(0x0099), log.unreplayableAlgorithmIds());
        assertEquals(Set.of(HashAlgorithm.SHA256), log.banks());
        EventDigest unknown = log.events().get(1).digests().get(0);
        assertEquals("alg:0x0099", unknown.algorithmName());
        assertArrayEquals(odd, unknown.value());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(concat(new byte[32], d256)),
                log.replay().get(HashAlgorithm.SHA256, 4).orElseThrow());
    }

    @Test
    void replayRulesOnABuiltLog() throws Exception {
        byte[] a = LogBuilder.filled(32, 0xA1);
        byte[] b = LogBuilder.filled(32, 0xB2);
        byte[] c = LogBuilder.filled(32, 0xC3);
        byte[] bytes = LogBuilder.cryptoAgile(LogBuilder.SHA256, 32)
                .event2(0, LogBuilder.EV_NO_ACTION, LogBuilder.startupLocality(3), LogBuilder.SHA256, new byte[32])
                .event2(0, LogBuilder.EV_POST_CODE, new byte[0], LogBuilder.SHA256, a)
                .event2(5, LogBuilder.EV_NO_ACTION, new byte[0], LogBuilder.SHA256, c) // never extended
                .event2(0, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA256, b)
                .event2(23, LogBuilder.EV_SEPARATOR, new byte[4], LogBuilder.SHA256, c)
                .build();
        EventLog log = EventLog.parse(bytes);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] start = new byte[32];
        start[31] = 3;
        byte[] pcr0 = sha256.digest(concat(sha256.digest(concat(start, a)), b));
        byte[] pcr23 = sha256.digest(concat(new byte[32], c));
        PcrValues replayed = log.replay();
        assertEquals(Set.of(0, 23), replayed.indices(HashAlgorithm.SHA256));
        assertArrayEquals(pcr0, replayed.get(HashAlgorithm.SHA256, 0).orElseThrow());
        assertArrayEquals(pcr23, replayed.get(HashAlgorithm.SHA256, 23).orElseThrow());
        assertEquals(List.of(2, 4), log.extendedEvents(HashAlgorithm.SHA256, 0).stream().map(TcgEvent::index).toList());
        assertEquals(EventType.EV_SEPARATOR.name(), log.events().get(4).typeName());
        assertEquals("0x12345678", EventType.nameOf(0x12345678L).toLowerCase());
    }

    static byte[] concat(byte[] x, byte[] y) {
        byte[] out = new byte[x.length + y.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }
}
