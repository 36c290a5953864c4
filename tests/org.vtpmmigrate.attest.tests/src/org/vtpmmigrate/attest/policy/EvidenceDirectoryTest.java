package org.vtpmmigrate.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence directories made of the swtpm vector's files (symbolic links into the corpus): read
 * whole, and every kind of broken or missing file refused with the file's name and what is wrong.
 */
class EvidenceDirectoryTest {
    @AfterEach
    void removeCorpusLinks() {
        LiveHost.unlinkAll();
    }

    private static final String V = SwtpmVector.DIR;

    /** The valid vector as an evidence directory, with boot log, IMA log, EK certificate and chain. */
    static Path validDirectory(Path dir) {
        link(dir, EvidenceDirectory.QUOTE_MESSAGE, V + "valid/quote.msg");
        link(dir, EvidenceDirectory.QUOTE_SIGNATURE, V + "valid/quote.sig");
        link(dir, EvidenceDirectory.QUOTE_PCRS, V + "valid/quote.pcrs");
        link(dir, EvidenceDirectory.NONCE, V + "valid/nonce.hex");
        link(dir, EvidenceDirectory.AK_TPM_PUBLIC, V + "common/ak.pub.tss");
        link(dir, EvidenceDirectory.EVENT_LOG, SwtpmVector.EVENT_LOG);
        link(dir, EvidenceDirectory.IMA_LOG, SwtpmVector.IMA_LOG);
        link(dir, EvidenceDirectory.EK_CERTIFICATE, V + "common/ek_rsa_cert.pem");
        link(dir, EvidenceDirectory.EK_PUBLIC, V + "common/ek.pub");
        link(dir, EvidenceDirectory.EK_CHAIN, SwtpmVector.ISSUER_CA);
        return dir;
    }

    static void link(Path dir, String name, String corpusFile) {
        LiveHost.link(dir, name, SwtpmVector.path(corpusFile));
    }

    @Test
    void aCompleteDirectoryReadsAsTheSameEvidenceAsTheFiles(@TempDir Path dir) throws Exception {
        Evidence e = EvidenceDirectory.read(validDirectory(dir));
        assertEquals(SwtpmVector.quote("valid").claimedPcrs(), e.quote().claimedPcrs());
        assertTrue(e.quote().akPublic().isPresent());
        assertEquals(106, e.eventLog().orElseThrow().events().size());
        assertEquals(826, e.imaLog().orElseThrow().entries().size());
        assertEquals(1, e.ekIntermediates().size());
        assertTrue(!e.akBoundToEk(), "files never prove credential activation");
        Verdict v = PolicyEvaluator.evaluate(SwtpmVector.generated(), e);
        assertTrue(v.trusted(), v.toText());
    }

    @Test
    void anAkAsPemIsAcceptedButItsAttributesAreUnchecked(@TempDir Path dir) throws Exception {
        validDirectory(dir);
        Files.delete(dir.resolve(EvidenceDirectory.AK_TPM_PUBLIC));
        link(dir, EvidenceDirectory.AK_PEM, V + "common/ak.pub.pem");
        Verdict v = PolicyEvaluator.evaluate(SwtpmVector.generated(), EvidenceDirectory.read(dir));
        assertTrue(v.trusted(), v.toText());
        assertTrue(v.warnings().stream().anyMatch(f -> f.message().contains("bare public key")), v.toText());
    }

    private static void refused(Path dir, String file, String problem) {
        EvidenceException e = assertThrows(EvidenceException.class, () -> EvidenceDirectory.read(dir));
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void missingRequiredFilesAreNamed(@TempDir Path dir) throws Exception {
        validDirectory(dir);
        Files.delete(dir.resolve(EvidenceDirectory.NONCE));
        refused(dir, EvidenceDirectory.NONCE, "missing");
        link(dir, EvidenceDirectory.NONCE, V + "valid/nonce.hex");
        Files.delete(dir.resolve(EvidenceDirectory.AK_TPM_PUBLIC));
        refused(dir, EvidenceDirectory.AK_TPM_PUBLIC, "the attestation key is needed");
        link(dir, EvidenceDirectory.AK_TPM_PUBLIC, V + "common/ak.pub.tss");
        link(dir, EvidenceDirectory.AK_PEM, V + "common/ak.pub.pem");
        refused(dir, EvidenceDirectory.AK_TPM_PUBLIC, "not both");
        Files.delete(dir.resolve(EvidenceDirectory.AK_PEM));
        Files.delete(dir.resolve(EvidenceDirectory.EK_PUBLIC));
        refused(dir, EvidenceDirectory.EK_PUBLIC, "go together");
        refused(dir.resolve("nonexistent"), dir.resolve("nonexistent").toString(), "not a directory");
    }

    @Test
    void malformedFilesAreNamedWithWhereTheyBreak(@TempDir Path dir) throws Exception {
        validDirectory(dir);
        Path pcrs = dir.resolve(EvidenceDirectory.QUOTE_PCRS);
        byte[] full = Files.readAllBytes(pcrs);
        Files.delete(pcrs);
        Files.write(pcrs, Arrays.copyOf(full, 200));
        refused(dir, EvidenceDirectory.QUOTE_PCRS, "offset");

        Files.write(pcrs, full);
        Path nonce = dir.resolve(EvidenceDirectory.NONCE);
        Files.delete(nonce);
        Files.writeString(nonce, "not hex\n");
        refused(dir, EvidenceDirectory.NONCE, "hex digits");
        Files.writeString(nonce, "ab".repeat(65));
        refused(dir, EvidenceDirectory.NONCE, "at most 64 bytes");
        Files.delete(nonce);
        link(dir, EvidenceDirectory.NONCE, V + "valid/nonce.hex");

        Files.delete(dir.resolve(EvidenceDirectory.EVENT_LOG));
        link(dir, EvidenceDirectory.EVENT_LOG, "eventlogs/keylime/binary_bios_measurements-bogus");
        refused(dir, EvidenceDirectory.EVENT_LOG, "event 0 at offset");
        Files.delete(dir.resolve(EvidenceDirectory.EVENT_LOG));
        link(dir, EvidenceDirectory.EVENT_LOG, SwtpmVector.EVENT_LOG);

        Files.delete(dir.resolve(EvidenceDirectory.IMA_LOG));
        link(dir, EvidenceDirectory.IMA_LOG, "ima/rust-keylime/invalid_ima_log.txt");
        refused(dir, EvidenceDirectory.IMA_LOG, "line 1");
        Files.delete(dir.resolve(EvidenceDirectory.IMA_LOG));

        Files.writeString(dir.resolve(EvidenceDirectory.LAUNCH), "{\"events\": [\n{\"name\": \"kernel\", \"sha256\": \"00\"}]}");
        refused(dir, EvidenceDirectory.LAUNCH, "line 2: events[0].sha256: expected 64 hex digits");
        Files.delete(dir.resolve(EvidenceDirectory.LAUNCH));

        Files.writeString(dir.resolve(EvidenceDirectory.PREVIOUS_CLOCK), "{\"clock\": 1, \"resetCount\": -1,"
                + " \"restartCount\": 0, \"safe\": true}");
        refused(dir, EvidenceDirectory.PREVIOUS_CLOCK, "resetCount: number -1 is out of range");
        Files.delete(dir.resolve(EvidenceDirectory.PREVIOUS_CLOCK));

        Path cert = dir.resolve(EvidenceDirectory.EK_CERTIFICATE);
        Files.delete(cert);
        Files.writeString(cert, "garbage");
        refused(dir, EvidenceDirectory.EK_CERTIFICATE, "MALFORMED");

        Files.delete(cert);
        Files.write(cert, new byte[70 * 1024]);
        refused(dir, EvidenceDirectory.EK_CERTIFICATE, "exceed the limit of 65536");
    }
}
