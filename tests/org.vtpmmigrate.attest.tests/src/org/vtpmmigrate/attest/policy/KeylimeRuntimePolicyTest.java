package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.policy.Finding.Category;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Keylime runtime policies from the corpus (policies/keylime, read in place) imported as IMA rules. */
class KeylimeRuntimePolicyTest {
    private static final String DIR = "policies/keylime/";

    private static Policy.ImaRules read(String relative) throws Exception {
        return KeylimeRuntimePolicy.read(SwtpmVector.path(DIR + relative));
    }

    @Test
    void theRuntimePolicyTestFileImportsEveryDigestAndKeyring() throws Exception {
        Policy.ImaRules rules = read("runtime/runtime-policy-test.json");
        // independent count: digests and keyrings of the file as Gson reads it
        JsonObject json = JsonParser.parseString(new String(SwtpmVector.bytes(DIR + "runtime/runtime-policy-test.json"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        int paths = json.getAsJsonObject("digests").size() + json.getAsJsonObject("keyrings").size();
        assertEquals(paths, rules.allowlist().size());
        assertEquals(22, paths);
        assertEquals(Set.of("4860656c6855b6db0c7a2ccc6227a395928986a7"),
                rules.allowlist().get("/boot/grub2/i386-pc/terminfo.mod"), "bare hex: any algorithm of that size");
        assertEquals(Set.of("sha256:4309217e9709def327c3409407f4d52907aeba46ef1b4f46529fd095f2ef9fb2"),
                rules.allowlist().get("boot_aggregate"));
        assertEquals(Set.of("a7d52aaa18c23d2d9bb2abb4308c0eeee67387a42259f4a6b1a42257065f3d5a"),
                rules.allowlist().get(".ima"), "keyrings join the allowlist under their names");
        assertEquals(10, rules.pcr());
        assertTrue(rules.checkBootAggregate());
        assertEquals(List.of(), rules.excludes());
    }

    @Test
    void signRuntimePolicyFilesImport() throws Exception {
        assertEquals(7, read("sign-runtime-policy/runtime-policy.json").allowlist().size());
        assertEquals(0, read("sign-runtime-policy/runtime-policy-empty.json").allowlist().size());
        PolicyFormatException bogus = assertThrows(PolicyFormatException.class,
                () -> read("sign-runtime-policy/runtime-policy-bogus.json"));
        assertEquals("runtime-policy-bogus.json", bogus.source());
        assertEquals(2, bogus.line(), bogus.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha1", "sha256", "sha384", "sha512", "sm3_256"})
    void createRuntimePolicyOutputsImportWithTheirDigest(String alg) throws Exception {
        Policy.ImaRules rules = read("create-runtime-policy/policy-" + alg);
        assertEquals(1, rules.allowlist().size());
        String hex = rules.allowlist().values().iterator().next().first();
        int expectedHexDigits = alg.equals("sm3_256") ? 64 : 2 * HashAlgorithm.fromBankName(alg).orElseThrow().digestSize();
        assertEquals(expectedHexDigits, hex.length(), hex);
    }

    @Test
    void aDigestOfNoKnownSizeIsRefusedWithItsPath() {
        PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> read("create-runtime-policy/policy-unknown"));
        assertEquals("digests[\"/rootfs_data\"][0]", e.path());
        assertTrue(e.problem().contains("62 hex digits"), e.getMessage());
    }

    @Test
    void signedEnvelopesAreRefusedRatherThanImportedUnverified() {
        for (String f : List.of("runtime/runtime-policy-test-signed.json", "runtime/runtime-policy-test-signed-bad.json")) {
            PolicyFormatException e = assertThrows(PolicyFormatException.class, () -> read(f));
            assertTrue(e.problem().contains("DSSE-signed"), e.getMessage());
        }
    }

    @Test
    void partsThatCannotBeEnforcedAreRefusedNotDropped() {
        String base = "{\"meta\": {\"version\": 1}, \"digests\": {}, \"ima\": {\"dm_policy\": {\"x\": 1}}}";
        PolicyFormatException dm = assertThrows(PolicyFormatException.class, () -> KeylimeRuntimePolicy.parse(base, "k.json"));
        assertEquals("ima.dm_policy", dm.path());
        PolicyFormatException keys = assertThrows(PolicyFormatException.class, () -> KeylimeRuntimePolicy.parse(
                "{\"meta\": {\"version\": 1}, \"verification-keys\": \"[{\\\"kty\\\": \\\"EC\\\"}]\"}", "k.json"));
        assertEquals("verification-keys", keys.path());
        PolicyFormatException version = assertThrows(PolicyFormatException.class,
                () -> KeylimeRuntimePolicy.parse("{\"meta\": {\"version\": 5}}", "k.json"));
        assertTrue(version.problem().contains("version 5 is not supported"));
        PolicyFormatException unknown = assertThrows(PolicyFormatException.class,
                () -> KeylimeRuntimePolicy.parse("{\"meta\": {\"version\": 1}, \"allowlist\": {}}", "k.json"));
        assertEquals("allowlist", unknown.path());
    }

    @Test
    void ignoredKeyringsBecomeExactExcludes() throws Exception {
        Policy.ImaRules r = KeylimeRuntimePolicy.parse("{\"meta\": {\"version\": 1}, \"excludes\": [\"/tmp/.*\"],"
                + " \"ima\": {\"ignored_keyrings\": [\".evm\"], \"log_hash_alg\": \"sha1\", \"dm_policy\": null}}", "k.json");
        assertEquals(2, r.excludes().size());
        assertTrue(java.util.regex.Pattern.compile(r.excludes().get(1)).matcher(".evm").matches());
        assertTrue(!java.util.regex.Pattern.compile(r.excludes().get(1)).matcher("xevm").lookingAt(), "the dot is literal");
    }

    /**
     * keylime's create-runtime-policy test pairs: policy-sha256 lists /base_policy_data, the IMA
     * list measured /data, so /data is refused by name; the list's own digest of /data, allowed,
     * passes. The list is extended into a real swtpm and quoted, so the entries are covered.
     */
    @Test
    void anImportedPolicyJudgesTheMatchingImaList() throws Exception {
        Path imaFile = SwtpmVector.path("ima/keylime/ima-log-sha256");
        ImaLog list = ImaLog.read(imaFile);
        Policy.ImaRules imported = read("create-runtime-policy/policy-sha256");
        Policy p = policyWith(imported);
        Evidence evidence;
        try (LiveHost host = LiveHost.start()) {
            host.extendIma(list);
            Path dir = host.quote("sha256:10");
            LiveHost.link(dir, EvidenceDirectory.IMA_LOG, imaFile);
            evidence = EvidenceDirectory.read(dir);
        }
        Verdict v = PolicyEvaluator.evaluate(p, evidence);
        List<Finding> files = v.errors().stream().filter(f -> f.category() == Category.IMA_FILE).collect(Collectors.toList());
        assertEquals(1, files.size(), v.toText());
        assertEquals(Optional.of("/data"), files.get(0).location().file());

        java.util.SortedMap<String, java.util.SortedSet<String>> allowlist = new java.util.TreeMap<>(imported.allowlist());
        allowlist.put("/data", new java.util.TreeSet<>(List.of(
                "96d7fae8adb7286a419a88f78c13d35fb782d63df654b7db56f154765698b754")));
        Verdict ok = PolicyEvaluator.evaluate(policyWith(new Policy.ImaRules(10, false, allowlist, List.of())), evidence);
        assertTrue(ok.errors().stream().noneMatch(f -> f.category() == Category.IMA_FILE), ok.toText());
    }

    private static Policy policyWith(Policy.ImaRules rules) {
        return Policy.builder("keylime-import").pcrSelection(org.vtpmmigrate.attest.tpm2.PcrSelection.parseSpec("sha256:10"))
                .ima(new Policy.ImaRules(rules.pcr(), false, rules.allowlist(), rules.excludes())).build();
    }
}
