package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.policy.EvidenceDirectory;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code policy new} and {@code policy check} on evidence directories made of the corpus' swtpm
 * quote vector (symbolic links, no copies): a policy made from a host's evidence trusts it and
 * refuses the same host with another boot log or a replayed quote; unreadable policies and
 * evidence are exit 2 with one line naming the file and the place.
 */
class PolicyCommandsTest {
    @AfterEach
    void removeCorpusLinks() {
        Cli.unlinkAll();
    }

    private static final String S = "quotes/swtpm/";
    private static final String ROOT_CA = S + "common/swtpm-localca-rootca-cert.pem";

    /** The valid vector as an evidence directory (layout of {@link EvidenceDirectory}). */
    static Path evidence(Path dir, String eventLog, String nonceFile) {
        Cli.link(dir, EvidenceDirectory.QUOTE_MESSAGE, S + "valid/quote.msg");
        Cli.link(dir, EvidenceDirectory.QUOTE_SIGNATURE, S + "valid/quote.sig");
        Cli.link(dir, EvidenceDirectory.QUOTE_PCRS, S + "valid/quote.pcrs");
        Cli.link(dir, EvidenceDirectory.NONCE, nonceFile);
        Cli.link(dir, EvidenceDirectory.AK_TPM_PUBLIC, S + "common/ak.pub.tss");
        Cli.link(dir, EvidenceDirectory.EVENT_LOG, eventLog);
        Cli.link(dir, EvidenceDirectory.IMA_LOG, "ima/rust-keylime/ascii_runtime_measurements");
        Cli.link(dir, EvidenceDirectory.EK_CERTIFICATE, S + "common/ek_rsa_cert.pem");
        Cli.link(dir, EvidenceDirectory.EK_PUBLIC, S + "common/ek.pub");
        Cli.link(dir, EvidenceDirectory.EK_CHAIN, S + "common/swtpm-localca-issuercert.pem");
        return dir;
    }

    static Path validEvidence(Path dir) {
        return evidence(dir, "eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin", S + "valid/nonce.hex");
    }

    private static Path newPolicy(Path evidence, Path file) throws Exception {
        Cli.Run r = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", evidence.toString(), "--id", "lab-host",
                "--trust-ek-ca", Cli.data(ROOT_CA));
        assertEquals(ExitCode.OK, r.exit(), r.toString());
        Files.writeString(file, r.out());
        return file;
    }

    @Test
    void aPolicyMadeFromEvidenceTrustsIt(@TempDir Path tmp) throws Exception {
        Path ev = validEvidence(Files.createDirectory(tmp.resolve("host")));
        Cli.Run made = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", ev.toString(), "--id", "lab-host",
                "--trust-ek-ca", Cli.data(ROOT_CA), "--description", "rack 3");
        assertEquals(ExitCode.OK, made.exit(), made.toString());
        Policy p = PolicyJson.parse(made.out(), "stdout", null);
        assertEquals("lab-host", p.id());
        assertEquals(1, p.ekTrust().trustedCertificates().size());
        assertTrue(made.errLines().stream().allMatch(l -> l.startsWith("note: ")), made.err());
        assertTrue(made.err().contains("ima.checkBootAggregate is off"), made.err());

        Path file = tmp.resolve("lab.json");
        Files.writeString(file, made.out());
        Cli.Run text = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", file.toString(), "--evidence",
                ev.toString());
        assertEquals(ExitCode.OK, text.exit(), text.toString());
        assertTrue(text.out().startsWith("TRUSTED under policy lab-host (sha256:" + p.digestHex() + "): 0 errors, 1 warning"),
                text.out());
        Cli.Run json = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", file.toString(), "--evidence",
                ev.toString(), "--format", "json");
        JsonObject verdict = JsonParser.parseString(json.out()).getAsJsonObject();
        assertTrue(verdict.get("trusted").getAsBoolean());
        assertEquals(p.digestHex(), verdict.getAsJsonObject("policy").get("digest").getAsString());
    }

    @Test
    void anotherBootLogOrAReplayedQuoteIsRefusedWithEveryFinding(@TempDir Path tmp) throws Exception {
        Path policy = newPolicy(validEvidence(Files.createDirectory(tmp.resolve("host"))), tmp.resolve("p.json"));
        Path otherLog = evidence(Files.createDirectory(tmp.resolve("other-log")),
                "eventlogs/go-eventlog/tpm/ubuntu-2104-no-dbx.bin", S + "valid/nonce.hex");
        Cli.Run r = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", policy.toString(), "--evidence",
                otherLog.toString(), "--format", "json");
        assertEquals(ExitCode.REFUSED, r.exit(), r.toString());
        JsonObject v = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(!v.get("trusted").getAsBoolean());
        List<String> categories = v.getAsJsonArray("findings").asList().stream()
                .map(f -> f.getAsJsonObject().get("category").getAsString()).distinct().sorted().toList();
        assertEquals(List.of("ATTESTATION_KEY", "EVENT_DIGEST", "EVENT_LOG"), categories, r.out());

        Path replayed = evidence(Files.createDirectory(tmp.resolve("replayed")),
                "eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin", S + "wrong_nonce/verifier_nonce.hex");
        Cli.Run text = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", policy.toString(), "--evidence",
                replayed.toString());
        assertEquals(ExitCode.REFUSED, text.exit());
        assertTrue(text.out().startsWith("UNTRUSTED under policy lab-host"), text.out());
        assertTrue(text.out().contains("ERROR [nonce] quote\n  The quote does not answer this verifier's challenge"),
                text.out());

        // no policy from evidence that does not verify; stdout (the policy file) stays empty
        Cli.Run refused = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", replayed.toString());
        assertEquals(ExitCode.REFUSED, refused.exit());
        assertEquals("", refused.out());
        assertTrue(refused.err().startsWith("vtpm-migrate policy new: refused: the evidence does not verify"),
                refused.err());
    }

    @Test
    void unreadablePoliciesAndEvidenceAreExitTwoWithTheirPlace(@TempDir Path tmp) throws Exception {
        Path ev = validEvidence(Files.createDirectory(tmp.resolve("host")));
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\n  \"schemaVersion\": 1,\n  \"id\": \"x\",\n  \"pcrSelection\": {\"sha256\": [0]},\n"
                + "  \"pcrs\": {\"0\": {\"sha256\": [\"abc\"]}}\n}\n");
        Cli.Run policy = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", broken.toString(), "--evidence",
                ev.toString());
        assertEquals(ExitCode.USAGE, policy.exit());
        assertEquals("vtpm-migrate policy check: invalid policy: broken.json line 5: pcrs.0.sha256[0]: expected 64 hex"
                + " digits (sha256 digest), found 3 characters\n", policy.err());

        Path good = newPolicy(ev, tmp.resolve("good.json"));
        Path incomplete = Files.createDirectory(tmp.resolve("incomplete"));
        Cli.link(incomplete, EvidenceDirectory.QUOTE_SIGNATURE, S + "valid/quote.sig");
        Cli.Run evidence = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", good.toString(), "--evidence",
                incomplete.toString());
        assertEquals(ExitCode.USAGE, evidence.exit());
        assertEquals("vtpm-migrate policy check: evidence " + incomplete + ": quote.msg: missing\n", evidence.err());

        Path garbage = evidence(Files.createDirectory(tmp.resolve("garbage")),
                "eventlogs/keylime/binary_bios_measurements-bogus", S + "valid/nonce.hex");
        Cli.Run log = Cli.run(new PolicyCheckCommand(), "policy", "check", "--policy", good.toString(), "--evidence",
                garbage.toString());
        assertEquals(ExitCode.USAGE, log.exit());
        assertTrue(log.err().contains("eventlog.bin: event 0 at offset 32"), log.err());
        assertEquals(1, log.errLines().size());

        assertEquals(ExitCode.USAGE, Cli.run(new PolicyCheckCommand(), "policy", "check", "--evidence", ev.toString()).exit());
        Cli.Run id = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", ev.toString(), "--id", "two words");
        assertEquals(ExitCode.USAGE, id.exit());
        Cli.Run pcr = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", ev.toString(), "--launch-pcr", "24");
        assertEquals("vtpm-migrate policy new: --launch-pcr must be a PCR index 0..23, got 24\n", pcr.err());
        Cli.Run keylime = Cli.run(new PolicyNewCommand(), "policy", "new", "--evidence", ev.toString(),
                "--keylime-runtime-policy", Cli.data("policies/keylime/sign-runtime-policy/runtime-policy-bogus.json"));
        assertEquals(ExitCode.USAGE, keylime.exit());
        assertTrue(keylime.err().contains("invalid Keylime runtime policy: runtime-policy-bogus.json line 2"),
                keylime.err());
    }
}
