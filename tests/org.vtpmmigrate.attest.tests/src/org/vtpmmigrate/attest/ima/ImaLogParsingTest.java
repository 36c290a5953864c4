package org.vtpmmigrate.attest.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.TestCorpus;

/** Both list formats field by field, the kernel's hash rules, and every refusal with its location. */
class ImaLogParsingTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String SHA256_OF_DATA = "ab".repeat(32);

    /** Template data as the kernel lays it out for non-"ima" templates, written here independently. */
    private static byte[] fields(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.write(f.length);
            out.write(f.length >>> 8);
            out.write(f.length >>> 16);
            out.write(f.length >>> 24);
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    private static byte[] sha1(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(b);
    }

    /** d-ng and n-ng data of an ima-ng entry for a sha256 digest of 0xab.. and {@code path}. */
    private static byte[] imaNgData(String path) {
        return fields(cat(ascii("sha256:\0"), HEX.parseHex(SHA256_OF_DATA)), cat(ascii(path), new byte[1]));
    }

    @Test
    void asciiPathWithSpacesKeepsTheSpaces() throws Exception {
        String path = "/home/user/My Documents/a  b.txt";
        String hash = HEX.formatHex(sha1(imaNgData(path)));
        ImaLog log = ImaLog.parseAscii(ascii("10 " + hash + " ima-ng sha256:" + SHA256_OF_DATA + " " + path + "\n"));
        ImaEntry e = log.entries().get(0);
        assertEquals(Optional.of(path), e.filePath());
        assertEquals(ImaEntry.TemplateHashStatus.VALID, e.templateHashStatus());
        assertEquals(Optional.of(HashAlgorithm.SHA256), e.fileDigestHashAlgorithm());
        assertEquals(Optional.of("sha256:" + SHA256_OF_DATA), e.fileDigestText());
        assertArrayEquals(imaNgData(path), e.templateData().orElseThrow());
    }

    @Test
    void asciiImaSigWithAndWithoutSignature() throws Exception {
        byte[] sig = HEX.parseHex("030204deadbeef");
        byte[] d = cat(ascii("sha256:\0"), HEX.parseHex(SHA256_OF_DATA));
        byte[] signed = fields(d, ascii("/usr/bin/a b\0"), sig);
        byte[] unsigned = fields(d, ascii("/usr/bin/c\0"), new byte[0]);
        String list = "10 " + HEX.formatHex(sha1(signed)) + " ima-sig sha256:" + SHA256_OF_DATA + " /usr/bin/a b "
                + HEX.formatHex(sig) + "\n"
                + "10 " + HEX.formatHex(sha1(unsigned)) + " ima-sig sha256:" + SHA256_OF_DATA + " /usr/bin/c \n";
        ImaLog log = ImaLog.parseAscii(ascii(list));
        assertEquals(List.of(), log.templateHashProblems());
        assertArrayEquals(sig, log.entries().get(0).signature().orElseThrow());
        assertEquals(Optional.of("/usr/bin/a b"), log.entries().get(0).filePath());
        assertEquals(Optional.empty(), log.entries().get(1).signature());
        assertEquals(Optional.of(ImaTemplate.IMA_SIG), log.entries().get(1).template());
    }

    @Test
    void asciiImaBufKeepsTheBuffer() throws Exception {
        byte[] buffer = ascii("root=/dev/sda1 ro");
        byte[] data = fields(cat(ascii("sha256:\0"), HEX.parseHex(SHA256_OF_DATA)), ascii("kexec-cmdline\0"), buffer);
        ImaLog log = ImaLog.parseAscii(ascii("10 " + HEX.formatHex(sha1(data)) + " ima-buf sha256:" + SHA256_OF_DATA
                + " kexec-cmdline " + HEX.formatHex(buffer) + "\n"));
        ImaEntry e = log.entries().get(0);
        assertEquals(ImaEntry.TemplateHashStatus.VALID, e.templateHashStatus());
        assertArrayEquals(buffer, e.buffer().orElseThrow());
        assertEquals(Optional.of("kexec-cmdline"), e.filePath());
    }

    @Test
    void imaTemplateHashesTheNamePaddedTo256Bytes() throws Exception {
        byte[] digest = HEX.parseHex("e9002ba6c5a98f5b7a33dc6bbf9ac1863873b713");
        byte[] padded = new byte[20 + 256];
        System.arraycopy(digest, 0, padded, 0, 20);
        System.arraycopy(ascii("/init"), 0, padded, 20, 5);
        // sml-ima-sha1.bin entry 1 logs a3ff2672...; the kernel's formula must reproduce it
        assertEquals("a3ff2672a129ea092ec2d41b88daafe632a8b65a", HEX.formatHex(sha1(padded)));
        ImaLog log = ImaLog.parseAscii(ascii("10 a3ff2672a129ea092ec2d41b88daafe632a8b65a ima "
                + HEX.formatHex(digest) + " /init\n"));
        assertEquals(ImaEntry.TemplateHashStatus.VALID, log.entries().get(0).templateHashStatus());
        assertArrayEquals(padded, log.entries().get(0).templateData().orElseThrow());
        assertEquals(Optional.of("sha1"), log.entries().get(0).fileDigestAlgorithm());
    }

    @Test
    void binaryListsReadTheSameAsTheirAsciiRendering() throws Exception {
        for (String name : List.of("sml-ima-sha1.bin", "sml-ima-ng-sha1.bin", "sml-ima-sig-sha256.bin",
                "sml-ima-sig-sha256-invalidated.bin")) {
            ImaLog binary = ImaLog.read(TestCorpus.path("supplement/ima/tpm2-tss/" + name));
            StringBuilder text = new StringBuilder();
            for (ImaEntry e : binary.entries()) {
                text.append(e.pcr()).append(' ').append(HEX.formatHex(e.templateHash())).append(' ')
                        .append(e.templateName());
                String digest = e.template().orElseThrow() == ImaTemplate.IMA
                        ? HEX.formatHex(e.fileDigest().orElseThrow()) : e.fileDigestText().orElseThrow();
                text.append(' ').append(digest).append(' ').append(e.filePath().orElseThrow());
                if (e.template().orElseThrow() == ImaTemplate.IMA_SIG) {
                    text.append(' ').append(e.signature().map(HEX::formatHex).orElse(""));
                }
                text.append('\n');
            }
            ImaLog fromText = ImaLog.parse(ascii(text.toString()));
            assertEquals(ImaLog.Format.ASCII, fromText.format());
            assertEquals(binary.entries().size(), fromText.entries().size(), name);
            for (int i = 0; i < binary.entries().size(); i++) {
                ImaEntry b = binary.entries().get(i);
                ImaEntry t = fromText.entries().get(i);
                assertArrayEquals(b.templateData().orElseThrow(), t.templateData().orElseThrow(), name + " entry " + i);
                assertEquals(b.templateHashStatus(), t.templateHashStatus(), name + " entry " + i);
            }
            assertEquals(binary.replay(HashAlgorithm.SHA1, HashAlgorithm.SHA256),
                    fromText.replay(HashAlgorithm.SHA1, HashAlgorithm.SHA256), name);
        }
    }

    @Test
    void violationExtendsAllOnesInEveryBank() throws Exception {
        ImaLog log = ImaLog.parseAscii(
                ascii("10 " + "00".repeat(20) + " ima-ng sha1:" + "00".repeat(20) + " /tmp/x\n"));
        ImaEntry e = log.entries().get(0);
        assertTrue(e.isViolation());
        assertEquals(ImaEntry.TemplateHashStatus.VIOLATION, e.templateHashStatus());
        assertEquals(List.of(), log.templateHashProblems());
        PcrValues pcrs = log.replay(HashAlgorithm.SHA1, HashAlgorithm.SHA384);
        byte[] ones20 = new byte[20];
        Arrays.fill(ones20, (byte) 0xFF);
        byte[] ones48 = new byte[48];
        Arrays.fill(ones48, (byte) 0xFF);
        assertArrayEquals(sha1(cat(new byte[20], ones20)), pcrs.get(HashAlgorithm.SHA1, 10).orElseThrow());
        assertArrayEquals(MessageDigest.getInstance("SHA-384").digest(cat(new byte[48], ones48)),
                pcrs.get(HashAlgorithm.SHA384, 10).orElseThrow());
    }

    @Test
    void violationInPcr13() throws Exception {
        // the corpus file lacks the final NUL of its only entry (see ImaLogCorpusTest); completed,
        // it is the kernel's violation record for PCR 13 that its replay.json describes
        byte[] cut = TestCorpus.bytes("supplement/ima/tpm2-tss/sml-ima-ng-sha1-invalidated.bin");
        ImaLog log = ImaLog.parseBinary(cat(cut, new byte[1]));
        assertEquals(1, log.entries().size());
        assertEquals(13, log.entries().get(0).pcr());
        assertEquals(java.util.Set.of(13), log.pcrs());
        assertTrue(log.entries().get(0).isViolation());
        PcrValues pcrs = log.replay(HashAlgorithm.SHA1, HashAlgorithm.SHA256);
        assertEquals("bac37b84f007d0238af95af707cac8d61254870e",
                HEX.formatHex(pcrs.get(HashAlgorithm.SHA1, 13).orElseThrow()));
        assertEquals("bba91ca85dc914b2ec3efb9e16e7267bf9193b14350d20fba8a8b406730ae30a",
                HEX.formatHex(pcrs.get(HashAlgorithm.SHA256, 13).orElseThrow()));
        assertTrue(log.entriesOf(10).isEmpty());
    }

    @Test
    void alteredFieldIsCaughtByTheTemplateHashAndByTheSha256Bank() throws Exception {
        String good = "10 c156ebdcbfcd28fe1060ef4cdec0aab04d3a9b63 ima-ng "
                + "sha1:19f13b42c2745066347e76454788c0fe083643f3 /init\n";
        String altered = good.replace("/init", "/evil");
        ImaLog honest = ImaLog.parseAscii(ascii(good));
        ImaLog forged = ImaLog.parseAscii(ascii(altered));
        assertEquals(ImaEntry.TemplateHashStatus.VALID, honest.entries().get(0).templateHashStatus());
        assertEquals(List.of(forged.entries().get(0)), forged.templateHashProblems());
        // the sha1 bank extends the logged template hash and cannot tell; the sha256 bank can
        assertEquals(honest.replay(HashAlgorithm.SHA1), forged.replay(HashAlgorithm.SHA1));
        assertFalse(honest.replay(HashAlgorithm.SHA256).equals(forged.replay(HashAlgorithm.SHA256)));
    }

    @Test
    void unknownTemplatesAreKeptRaw() throws Exception {
        ImaLog ascii = ImaLog.parseAscii(ascii("10 " + "12".repeat(20) + " my-tmpl alpha beta\n"));
        ImaEntry e = ascii.entries().get(0);
        assertEquals(Optional.empty(), e.template());
        assertEquals(Optional.of("alpha beta"), e.unparsedFields());
        assertEquals(ImaEntry.TemplateHashStatus.UNVERIFIABLE, e.templateHashStatus());
        assertEquals(List.of(e), ascii.templateHashProblems());
        assertEquals(Optional.empty(), e.filePath());
        assertTrue(ascii.replay(HashAlgorithm.SHA1).get(HashAlgorithm.SHA1, 10).isPresent());
        ImaReplayException refused = assertThrows(ImaReplayException.class, () -> ascii.replay(HashAlgorithm.SHA256));
        assertEquals(0, refused.entryIndex());
        assertTrue(refused.getMessage().contains("template my-tmpl at line 1 is unknown"), refused.getMessage());

        // in the binary list the template data is there: hash checked, every bank replayable
        byte[] data = fields(ascii("whatever"), new byte[] {1, 2, 3});
        byte[] binary = cat(new byte[] {10, 0, 0, 0}, sha1(data), new byte[] {7, 0, 0, 0}, ascii("my-tmpl"),
                new byte[] {(byte) data.length, 0, 0, 0}, data);
        ImaEntry b = ImaLog.parse(binary).entries().get(0);
        assertEquals(ImaEntry.TemplateHashStatus.VALID, b.templateHashStatus());
        assertArrayEquals(data, b.templateData().orElseThrow());
        assertTrue(ImaLog.parse(binary).replay(HashAlgorithm.SHA256).get(HashAlgorithm.SHA256, 10).isPresent());
    }

    @Test
    void singleDigitPcrIsPaddedWithASpaceByTheKernel() throws Exception {
        byte[] data = imaNgData("/x");
        ImaLog log = ImaLog.parse(
                ascii(" 8 " + HEX.formatHex(sha1(data)) + " ima-ng sha256:" + SHA256_OF_DATA + " /x"));
        assertEquals(8, log.entries().get(0).pcr());
        assertEquals(ImaLog.Format.ASCII, log.format());
    }

    private static ImaFormatException refusedAscii(String list, int line, int offset, String fragment) {
        ImaFormatException e = assertThrows(ImaFormatException.class, () -> ImaLog.parseAscii(ascii(list)));
        assertEquals(line, e.lineNumber(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void asciiRefusalsNameLineAndOffset() {
        String ok = "10 " + "11".repeat(20) + " ima-ng sha256:" + SHA256_OF_DATA + " /a\n"; // 126 bytes
        assertEquals(126, ok.length());
        refusedAscii(ok + ok + "10 xyz ima-ng sha256:00 /b\n", 3, 252, "template hash \"xyz\" is not hex");
        refusedAscii(ok + "\n" + ok, 2, 126, "empty line");
        refusedAscii("24 " + "11".repeat(20) + " ima-ng sha256:" + SHA256_OF_DATA + " /a\n", 1, 0,
                "PCR 24 is outside 0..23");
        refusedAscii("10 " + "11".repeat(19) + " ima-ng sha256:" + SHA256_OF_DATA + " /a\n", 1, 0,
                "template hash is 19 bytes");
        refusedAscii("10 " + "11".repeat(20) + " a-very-long-template-name x y\n", 1, 0, "is not 1..15 printable");
        refusedAscii("10 " + "11".repeat(20) + " ima-ng\n", 1, 0, "ima-ng entry has no fields");
        refusedAscii("10 " + "11".repeat(20) + " ima-ng sha256" + SHA256_OF_DATA + " /a\n", 1, 0,
                "is not algorithm:hex");
        refusedAscii("10 " + "11".repeat(20) + " ima-ng sha256:" + "ab".repeat(31) + " /a\n", 1, 0,
                "sha256 digest is 31 bytes, not 32");
        refusedAscii("10 " + "11".repeat(20) + " ima-sig sha256:" + SHA256_OF_DATA + "\n", 1, 0,
                "needs a digest and a name");
        refusedAscii("10 " + "11".repeat(20) + " ima " + "ab".repeat(20) + " /" + "x".repeat(255) + "\n", 1, 0,
                "ima template name is 256 bytes, more than the 255");
        refusedAscii("x".repeat(ImaLog.MAX_LINE_BYTES + 1), 1, 0, "line longer than " + ImaLog.MAX_LINE_BYTES);
        refusedAscii("", 0, 0, "empty input");
    }

    private static byte[] binaryEntry(int pcr, String template, byte[] data) throws Exception {
        byte[] name = ascii(template);
        return cat(new byte[] {(byte) pcr, 0, 0, 0}, sha1(data), new byte[] {(byte) name.length, 0, 0, 0}, name,
                new byte[] {(byte) data.length, (byte) (data.length >>> 8), 0, 0}, data);
    }

    private static ImaFormatException refusedBinary(byte[] list, int entry, long offset, String fragment) {
        ImaFormatException e = assertThrows(ImaFormatException.class, () -> ImaLog.parseBinary(list));
        assertEquals(entry, e.entryIndex(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(0, e.lineNumber());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void binaryRefusalsNameEntryAndOffset() throws Exception {
        byte[] good = binaryEntry(10, "ima-ng", imaNgData("/a"));
        int n = good.length;
        refusedBinary(cat(good, binaryEntry(24, "ima-ng", imaNgData("/a"))), 1, n, "PCR 24 is outside 0..23");
        byte[] longName = binaryEntry(10, "ima-ng", imaNgData("/a"));
        longName[24] = 16;
        refusedBinary(cat(good, longName), 1, n + 28, "template name: length 16 exceeds the limit of 15");
        byte[] hugeData = cat(good, binaryEntry(10, "ima-ng", imaNgData("/a")));
        Arrays.fill(hugeData, n + 34, n + 38, (byte) 0xFF);
        refusedBinary(hugeData, 1, n + 38, "template data: length 4294967295 exceeds the limit");
        byte[] noNul = binaryEntry(10, "ima-ng",
                fields(cat(ascii("sha256:\0"), HEX.parseHex(SHA256_OF_DATA)), ascii("/a")));
        refusedBinary(cat(good, noNul), 1, n, "n-ng field does not end with its only NUL");
        byte[] badFields = binaryEntry(10, "ima-ng", cat(imaNgData("/a"), new byte[] {9}));
        refusedBinary(badFields, 0, 38 + imaNgData("/a").length, "1 bytes after the last of the template's 2 fields");
        byte[] oneField = binaryEntry(10, "ima-sig", imaNgData("/a"));
        refusedBinary(oneField, 0, 39 + imaNgData("/a").length, "template field 2 length: needs 4 bytes");
        refusedBinary(Arrays.copyOf(good, 30), 0, 0, "no complete entry");
    }

    @Test
    void binaryListCutInsideAnEntryKeepsTheWholeEntries() throws Exception {
        byte[] good = binaryEntry(10, "ima-ng", imaNgData("/a"));
        byte[] two = cat(good, binaryEntry(10, "ima-ng", imaNgData("/b")));
        ImaLog log = ImaLog.parseBinary(Arrays.copyOf(two, two.length - 5));
        assertEquals(1, log.entries().size());
        assertEquals(new ImaLog.IncompleteTail(good.length, good.length - 5), log.incompleteTail().orElseThrow());
    }

    @Test
    void formatIsDetectedFromTheFirstBytes() throws Exception {
        assertEquals(ImaLog.Format.BINARY, ImaLog.parse(binaryEntry(10, "ima-ng", imaNgData("/a"))).format());
        ImaFormatException e = assertThrows(ImaFormatException.class,
                () -> ImaLog.parse(ascii("this-is-an-invalid-ima-log-file\n")));
        assertEquals(1, e.lineNumber());
    }

    @Test
    void fileDigestAlgorithmNames() throws Exception {
        assertEquals(Optional.of(HashAlgorithm.SM3_256), ImaEntry.algorithmOf("sm3"));
        assertEquals(Optional.of(HashAlgorithm.SM3_256), ImaEntry.algorithmOf("sm3_256"));
        assertEquals(Optional.of(HashAlgorithm.SHA512), ImaEntry.algorithmOf("sha512"));
        assertEquals(Optional.empty(), ImaEntry.algorithmOf("SHA256"));
        assertEquals(Optional.empty(), ImaEntry.algorithmOf("md5"));
        ImaLog keylime = ImaLog.read(TestCorpus.path("ima/keylime/ima-log-unknown"));
        ImaEntry unknown = keylime.entries().get(1);
        assertEquals(Optional.of("unknown"), unknown.fileDigestAlgorithm());
        assertEquals(Optional.empty(), unknown.fileDigestHashAlgorithm());
        assertEquals(29, unknown.fileDigest().orElseThrow().length);
        assertEquals(Optional.of("/data"), unknown.filePath());
    }
}
