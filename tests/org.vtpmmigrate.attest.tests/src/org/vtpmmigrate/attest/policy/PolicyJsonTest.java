package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;

/**
 * Policy files: every section read and written back unchanged, the digest independent of layout,
 * and every kind of malformed policy refused with the line and the JSON path at fault.
 */
class PolicyJsonTest {
    private static final String H32 = "11".repeat(32);
    private static final String H20 = "22".repeat(20);

    /** A policy using every section; line numbers below refer to this layout. */
    static String full(String rootCaFile) {
        return """
                {
                  "schemaVersion": 1,
                  "id": "lab-hosts",
                  "description": "hosts of the lab rack",
                  "algorithms": {
                    "pcrBanks": ["sha256", "sha384"],
                    "signatureHashes": ["sha256"]
                  },
                  "pcrSelection": {"sha256": [0, 7, 10, 15]},
                  "pcrs": {
                    "0": {"sha256": "%1$s"},
                    "7": {"sha256": ["%1$s", "%2$s"]}
                  },
                  "eventLog": {
                    "acceptedTypes": ["EV_SEPARATOR", "0x800000E0", "EV_EFI_ACTION"],
                    "allowedDigests": {"sha256": ["%1$s"]},
                    "forbiddenDigests": {"sha256": ["%2$s"]}
                  },
                  "ima": {
                    "allowlist": {"/usr/bin/bash": ["sha256:%1$s", "%3$s"], "boot_aggregate": ["SHA256:%2$s"]},
                    "excludes": ["/tmp/.*", "/var/log/"]
                  },
                  "ekCertificates": {"trusted": [{"file": "%4$s"}]},
                  "vmLaunch": {"pcr": 15, "allowed": {"firmware": "%1$s", "disk:vda": ["%2$s"]}},
                  "freshness": {"sameBootCycle": false}
                }
                """.formatted(H32, "aa".repeat(32), H20, rootCaFile);
    }

    private static Policy parseFull() throws PolicyFormatException {
        return PolicyJson.parse(full(SwtpmVector.path(SwtpmVector.ROOT_CA).toString()), "policy.json", null);
    }

    @Test
    void everySectionIsReadWithItsDefaults() throws Exception {
        Policy p = parseFull();
        assertEquals("lab-hosts", p.id());
        assertEquals(Optional.of("hosts of the lab rack"), p.description());
        assertEquals(java.util.Set.of(HashAlgorithm.SHA256), p.algorithms().signatureHashes());
        assertEquals(java.util.Set.of(H32, "aa".repeat(32)), p.referenceValues().get(7).get(HashAlgorithm.SHA256));
        Policy.EventLogRules ev = p.eventLog().orElseThrow();
        assertTrue(ev.required(), "required defaults to true");
        assertEquals(java.util.Set.of(EventType.EV_SEPARATOR.value(), 0x800000E0L, EventType.EV_EFI_ACTION.value()),
                ev.acceptedTypes());
        Policy.ImaRules ima = p.ima().orElseThrow();
        assertEquals(10, ima.pcr());
        assertTrue(ima.checkBootAggregate());
        assertEquals(java.util.Set.of("sha256:" + H32, H20), ima.allowlist().get("/usr/bin/bash"));
        assertEquals(java.util.Set.of("sha256:" + "aa".repeat(32)), ima.allowlist().get("boot_aggregate"),
                "algorithm names and hex are lowered");
        assertEquals("CN=swtpm-localca-rootca",
                p.ekTrust().trustedCertificates().get(0).getSubjectX500Principal().getName());
        assertEquals(OptionalInt.of(15), p.vmLaunch().orElseThrow().pcr());
        assertEquals(new Policy.Freshness(true, false), p.freshness());
    }

    @Test
    void writingThenReadingGivesTheSameTextAndDigest() throws Exception {
        Policy p = parseFull();
        String written = PolicyJson.write(p);
        Policy again = PolicyJson.parse(written, "written.json", null);
        assertEquals(written, PolicyJson.write(again), "JSON -> model -> JSON is stable");
        assertEquals(p.digestHex(), again.digestHex());
        assertEquals(p, again);
        assertTrue(written.indexOf("\"schemaVersion\"") < written.indexOf("\"id\"")
                && written.indexOf("\"pcrSelection\"") < written.indexOf("\"freshness\""), "schema order");
    }

    @Test
    void aGeneratedPolicyOfAThousandFilesRoundTrips() throws Exception {
        Policy generated = SwtpmVector.generated();
        String written = PolicyJson.write(generated);
        Policy again = PolicyJson.parse(written, "generated.json", null);
        assertEquals(written, PolicyJson.write(again));
        assertEquals(generated.reference(), again.reference());
    }

    @Test
    void theDigestCoversContentNotLayout(@TempDir Path dir) throws Exception {
        Policy fromFile = parseFull();
        // reordered members, other whitespace, single values as strings, inline PEM instead of the file
        String pem = Files.readString(SwtpmVector.path(SwtpmVector.ROOT_CA));
        String reordered = "{\"freshness\":{\"sameBootCycle\":false,\"requireSafeClock\":true},\"id\":\"lab-hosts\","
                + "\"schemaVersion\":1,\"vmLaunch\":{\"allowed\":{\"disk:vda\":\"" + "aa".repeat(32) + "\",\"firmware\":[\""
                + H32 + "\"]},\"pcr\":15},\"ekCertificates\":{\"trusted\":[{\"pem\":" + new com.google.gson.JsonPrimitive(pem).toString()
                + "}]},\"ima\":{\"excludes\":[\"/tmp/.*\",\"/var/log/\"],\"allowlist\":{\"boot_aggregate\":[\"sha256:"
                + "aa".repeat(32) + "\"],\"/usr/bin/bash\":[\"" + H20 + "\",\"sha256:" + H32 + "\"]}},"
                + "\"eventLog\":{\"forbiddenDigests\":{\"sha256\":[\"" + "aa".repeat(32) + "\"]},\"allowedDigests\":"
                + "{\"sha256\":[\"" + H32 + "\"]},\"acceptedTypes\":[\"EV_EFI_ACTION\",\"EV_EFI_VARIABLE_AUTHORITY\","
                + "\"EV_SEPARATOR\"]},\"pcrs\":{\"7\":{\"sha256\":[\"" + "aa".repeat(32) + "\",\"" + H32 + "\"]},"
                + "\"0\":{\"sha256\":[\"" + H32 + "\"]}},\"pcrSelection\":{\"sha256\":[15,10,7,0]},"
                + "\"algorithms\":{\"signatureHashes\":[\"sha256\"],\"pcrBanks\":[\"sha384\",\"sha256\"]},"
                + "\"description\":\"hosts of the lab rack\"}";
        Policy inline = PolicyJson.parse(reordered, "reordered.json", null);
        assertEquals(fromFile.digestHex(), inline.digestHex());
        assertArrayEquals(fromFile.digest(), inline.digest());

        // a relative file name resolves against the policy file's directory
        Files.copy(SwtpmVector.path(SwtpmVector.ROOT_CA), dir.resolve("root.pem"));
        Path file = dir.resolve("policy.json");
        Files.writeString(file, full("root.pem"));
        Policy relative = PolicyJson.read(file);
        assertEquals(fromFile.digestHex(), relative.digestHex());
        assertEquals(Optional.of("root.pem"), relative.ekTrust().trusted().get(0).file());
        assertTrue(PolicyJson.write(relative).contains("\"file\": \"root.pem\""), "file references are written back");

        Policy other = PolicyJson.parse(reordered.replace("hosts of the lab rack", "other text"), "x.json", null);
        assertNotEquals(fromFile.digestHex(), other.digestHex());
    }

    @Test
    void saveWritesThePrettyFormAtomically(@TempDir Path dir) throws Exception {
        Policy p = parseFull();
        Path file = dir.resolve("saved.json");
        Files.writeString(file, "old content");
        PolicyJson.save(p, file);
        assertEquals(PolicyJson.write(p), Files.readString(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void theExampleErrorNamesFileLinePathAndProblem() {
        String json = full("/nonexistent").replace("\"7\": {\"sha256\": [\"" + H32, "\"7\": {\"sha256\": [\"" + H32.substring(1));
        PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> PolicyJson.parse(json, "policy.json", null));
        assertEquals("policy.json line 12: pcrs.7.sha256[0]: expected 64 hex digits (sha256 digest), found 63 characters",
                e.getMessage());
        assertEquals(12, e.line());
        assertEquals("pcrs.7.sha256[0]", e.path());
    }

    static Stream<Arguments> malformed() {
        String ok = minimal("");
        return Stream.of(
                Arguments.of("missing comma", ok.replace("\"id\": \"p\"", "\"id\": \"p\" \"x\": 1"), 3, "",
                        "not valid JSON"),
                Arguments.of("comment", ok.replace("\"id\": \"p\",", "\"id\": \"p\", // note"), 3, "", "comment"),
                Arguments.of("trailing comma", ok.replace("[0, 7]", "[0, 7,]"), 4, "", "not valid JSON"),
                Arguments.of("top level array", "[1]", 1, "", "expected a JSON object"),
                Arguments.of("empty document", "  \n", 0, "", "the document is empty"),
                Arguments.of("truncated", ok.substring(0, ok.length() - 3), 4, "", "ends too early"),
                Arguments.of("content after the object", ok + "{}", 5, "", "content after the top-level object"),
                Arguments.of("wrong type", ok.replace("{\"sha256\": [0, 7]}", "\"sha256:0,7\""), 4, "pcrSelection",
                        "expected an object, found a string"),
                Arguments.of("number as string", ok.replace("\"schemaVersion\": 1", "\"schemaVersion\": \"1\""), 2,
                        "schemaVersion", "expected a number, found a string"),
                Arguments.of("unknown member", ok.replace("\"id\": \"p\",", "\"id\": \"p\", \"extra\": true,"), 3,
                        "extra", "unknown member \"extra\""),
                Arguments.of("unknown nested member", minimal(",\n\"freshness\": {\"requireSafeClock\": true, \"clock\": 5}"),
                        5, "freshness.clock", "unknown member \"clock\"; allowed here: requireSafeClock, sameBootCycle"),
                Arguments.of("duplicate member", ok.replace("\"id\": \"p\",", "\"id\": \"p\", \"id\": \"q\","), 3, "",
                        "member \"id\" appears twice"),
                Arguments.of("unsupported version", ok.replace("\"schemaVersion\": 1", "\"schemaVersion\": 2"), 2,
                        "schemaVersion", "schema version 2 is not supported"),
                Arguments.of("fractional number", ok.replace("[0, 7]", "[0, 7.0]"), 4, "pcrSelection.sha256[1]",
                        "expected a whole number"),
                Arguments.of("missing id", ok.replace("\"id\": \"p\",", ""), 1, "", "missing member \"id\""),
                Arguments.of("bad id", ok.replace("\"id\": \"p\"", "\"id\": \"-p\""), 3, "id", "is not a policy id"),
                Arguments.of("unknown bank", ok.replace("{\"sha256\": [0, 7]}", "{\"sha3\": [0]}"), 4,
                        "pcrSelection.sha3", "\"sha3\" is not a PCR bank"),
                Arguments.of("PCR out of range", ok.replace("[0, 7]", "[0, 24]"), 4, "pcrSelection.sha256[1]",
                        "out of range 0..23"),
                Arguments.of("PCR index key with a leading zero", minimal(",\n\"pcrs\": {\"07\": {\"sha256\": \"" + H32 + "\"}}"),
                        5, "pcrs.07", "is not a PCR index"),
                Arguments.of("uppercase hex", minimal(",\n\"pcrs\": {\"7\": {\"sha256\": \"" + H32.toUpperCase().replace('1', 'A') + "\"}}"),
                        5, "pcrs.7.sha256", "is not a lowercase hex digit"),
                Arguments.of("reference value outside the selection", minimal(",\n\"pcrs\": {\"8\": {\"sha256\": \"" + H32 + "\"}}"),
                        5, "pcrs.8.sha256", "not in pcrSelection"),
                Arguments.of("SHA-1 required but not accepted", ok.replace("{\"sha256\": [0, 7]}", "{\"sha1\": [0, 7]}"),
                        4, "pcrSelection.sha1", "not among the accepted algorithms.pcrBanks"),
                Arguments.of("IMA PCR not selected", minimal(",\n\"ima\": {\"pcr\": 10}"), 5, "ima.pcr",
                        "not in pcrSelection"),
                Arguments.of("bad exclude", minimal(",\n\"ima\": {\"pcr\": 7, \"excludes\": [\"(unclosed\"]}"), 5,
                        "ima.excludes[0]", "not a regular expression"),
                Arguments.of("IMA digest of unknown size", minimal(",\n\"ima\": {\"pcr\": 7, \"allowlist\": {\"/x\": [\""
                        + "00112233445566778899001122334455667788990011223344556677889900\"]}}"), 5,
                        "ima.allowlist[\"/x\"][0]", "62 hex digits is not the size of a supported digest"),
                Arguments.of("unknown event type", minimal(",\n\"eventLog\": {\"acceptedTypes\": [\"EV_BOGUS\"]}"), 5,
                        "eventLog.acceptedTypes[0]", "neither a known event type name"),
                Arguments.of("missing certificate file", minimal(",\n\"ekCertificates\": {\"trusted\": [{\"file\": "
                        + "\"/nonexistent/ca.pem\"}]}"), 5, "ekCertificates.trusted[0].file", "cannot read certificate file"),
                Arguments.of("relative certificate file without a directory", minimal(",\n\"ekCertificates\": {\"trusted\":"
                        + " [{\"file\": \"ca.pem\"}]}"), 5, "ekCertificates.trusted[0].file", "needs a policy read from a file"),
                Arguments.of("both file and pem", minimal(",\n\"ekCertificates\": {\"trusted\": [{\"file\": \"a\", \"pem\": \"b\"}]}"),
                        5, "ekCertificates.trusted[0]", "exactly one of"),
                Arguments.of("empty allowed list", minimal(",\n\"pcrs\": {\"7\": {\"sha256\": []}}"), 5, "pcrs.7.sha256",
                        "empty list"),
                Arguments.of("launch name", minimal(",\n\"vmLaunch\": {\"allowed\": {\"Kernel\": \"" + H32 + "\"}}"), 5,
                        "vmLaunch.allowed.Kernel", "is not a measurement name"),
                Arguments.of("too deep", "{\"id\": " + "[".repeat(40) + "]".repeat(40) + "}", 1, "",
                        "not valid JSON"));
    }

    /** Line 1 "{", 2 schemaVersion, 3 id, 4 pcrSelection, then the extra members from line 5, then "}". */
    static String minimal(String extraMembers) {
        return "{\n\"schemaVersion\": 1,\n\"id\": \"p\",\n\"pcrSelection\": {\"sha256\": [0, 7]}" + extraMembers + "\n}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedPoliciesAreRefusedWithLineAndPath(String what, String json, int line, String path, String problem) {
        PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> PolicyJson.parse(json, "p.json", null),
                what);
        assertEquals(line, e.line(), what + ": " + e.getMessage());
        assertEquals(path, e.path(), what + ": " + e.getMessage());
        assertTrue(e.problem().contains(problem), what + ": expected '" + problem + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("p.json"), e.getMessage());
    }

    @Test
    void minimalPolicyIsValid() throws Exception {
        Policy p = PolicyJson.parse(minimal(""), "p.json", null);
        assertEquals(Policy.Algorithms.DEFAULT, p.algorithms());
        assertEquals(Policy.Freshness.DEFAULT, p.freshness());
        assertTrue(p.eventLog().isEmpty() && p.ima().isEmpty() && p.vmLaunch().isEmpty());
    }

    @Test
    void oversizedPoliciesAreRefusedBeforeParsing(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.json");
        byte[] filler = new byte[PolicyJson.MAX_POLICY_BYTES + 1];
        java.util.Arrays.fill(filler, (byte) ' ');
        Files.write(big, filler);
        PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> PolicyJson.read(big));
        assertEquals("big.json: file of " + filler.length + " bytes exceeds the limit of " + PolicyJson.MAX_POLICY_BYTES,
                e.getMessage());

        StringBuilder many = new StringBuilder("{\"id\": [");
        for (int i = 0; i < 1_000_001; i++) {
            many.append(i == 0 ? "0" : ",0");
        }
        many.append("]}");
        PolicyFormatException count = assertThrows(PolicyFormatException.class,
                () -> PolicyJson.parse(many.toString(), "many.json", null));
        assertTrue(count.problem().contains("more than 1000000 JSON values"), count.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirOffset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.json");
        byte[] text = minimal("").replace("\"p\"", "\"p\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, text);
        PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> PolicyJson.read(file));
        int offset = new String(text, StandardCharsets.ISO_8859_1).indexOf('\u00e9');
        assertEquals("latin1.json: not UTF-8 text: invalid byte sequence at offset " + offset, e.getMessage());

        Path bom = dir.resolve("bom.json");
        Files.write(bom, ("\uFEFF" + minimal("")).getBytes(StandardCharsets.UTF_8));
        assertEquals("p", PolicyJson.read(bom).id(), "a byte order mark is skipped");
    }
}
