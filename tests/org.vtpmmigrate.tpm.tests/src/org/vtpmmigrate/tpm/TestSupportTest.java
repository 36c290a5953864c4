package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.Await;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;
import org.vtpmmigrate.testsupport.Tpm2ToolsOutput;

/** The shared test-support library, exercised where it is first used. */
class TestSupportTest {

    @Test
    void awaitReturnsOnceTheConditionHolds() {
        AtomicInteger polls = new AtomicInteger();
        assertEquals("ready", Await.value(() -> polls.incrementAndGet() >= 3 ? Optional.of("ready") : Optional.empty(),
                Duration.ofSeconds(5), "the third poll"));
        assertEquals(3, polls.get());
    }

    @Test
    void awaitTimeoutSaysWhatWasAwaitedAndTheLastFailure() {
        AssertionError timeout = assertThrows(AssertionError.class, () -> Await.until(() -> {
            throw new IllegalStateException("not yet");
        }, Duration.ofMillis(50), "a condition that never holds"));
        assertTrue(timeout.getMessage().contains("waiting for: a condition that never holds"), timeout.getMessage());
        assertTrue(timeout.getMessage().contains("not yet"), timeout.getMessage());
        assertTrue(timeout.getCause() instanceof IllegalStateException);
    }

    @Test
    void testDataResolvesInsideTheRootOnly() {
        Path root = TestData.root();
        assertTrue(Files.isDirectory(root));
        IllegalArgumentException escape = assertThrows(IllegalArgumentException.class,
                () -> TestData.resolve("../outside"));
        assertTrue(escape.getMessage().contains("leaves the test data root"), escape.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> TestData.resolve("no/such/file.bin"));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    }

    @Test
    void testDataFailsClearlyWhenThePropertyIsUnset() {
        String saved = System.getProperty(TestData.PROPERTY);
        System.clearProperty(TestData.PROPERTY);
        try {
            IllegalStateException unset = assertThrows(IllegalStateException.class, TestData::root);
            assertTrue(unset.getMessage().contains("-Dvtpm.testdata="), unset.getMessage());
        } finally {
            if (saved != null) {
                System.setProperty(TestData.PROPERTY, saved);
            }
        }
    }

    @Test
    void swtpmCloseStopsTheProcessAndDeletesItsState() {
        SwtpmProcess swtpm = SwtpmProcess.start();
        Path state = swtpm.stateDirectory();
        List<Path> ca = swtpm.localCaCertificateFiles();
        assertTrue(Files.isDirectory(state));
        assertTrue(swtpm.isAlive());
        assertEquals(swtpm.port() + 1, swtpm.controlPort(), "tpm2-tools expects the control port next to the data port");
        assertTrue(swtpm.runTool("tpm2_getcap", "properties-fixed").requireSuccess().stdout().contains("TPM2_PT_FAMILY_INDICATOR"));
        swtpm.close();
        assertFalse(swtpm.isAlive());
        assertFalse(Files.exists(state));
        assertEquals(2, ca.size());
        assertFalse(Files.exists(ca.get(0)), "the private CA goes with the swtpm");
        IllegalStateException closed = assertThrows(IllegalStateException.class, swtpm::localCaCertificateFiles);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        IllegalStateException noRestart = assertThrows(IllegalStateException.class, swtpm::restart);
        assertTrue(noRestart.getMessage().contains("was closed"), noRestart.getMessage());
    }

    @Test
    void eachSwtpmHasItsOwnLocalCaThatIssuedItsEkCertificate() throws Exception {
        try (SwtpmProcess first = SwtpmProcess.start(); SwtpmProcess second = SwtpmProcess.start()) {
            X509Certificate firstRoot = certificate(first.localCaCertificateFiles().get(0));
            X509Certificate firstIssuer = certificate(first.localCaCertificateFiles().get(1));
            firstRoot.verify(firstRoot.getPublicKey());
            firstIssuer.verify(firstRoot.getPublicKey());
            first.runToolThenFlush("tpm2_nvread", "-C", "o", "-o", "ek-rsa.der", "0x01c00002").requireSuccess();
            X509Certificate ek = certificate(first.workingDirectory().resolve("ek-rsa.der"));
            ek.verify(firstIssuer.getPublicKey());

            for (SwtpmProcess swtpm : List.of(first, second)) {
                Path instanceDirectory = swtpm.stateDirectory().getParent();
                for (Path file : swtpm.localCaCertificateFiles()) {
                    assertTrue(file.startsWith(instanceDirectory), file + " lies outside " + instanceDirectory);
                }
            }
            X509Certificate secondIssuer = certificate(second.localCaCertificateFiles().get(1));
            assertNotEquals(firstIssuer.getPublicKey(), secondIssuer.getPublicKey(), "one CA for both swtpms");
            assertThrows(SignatureException.class, () -> ek.verify(secondIssuer.getPublicKey()));
        }
    }

    @Test
    void toolsRunInTheWorkingDirectoryAndWhatTheyLeaveLoadedIsFlushed() throws Exception {
        try (SwtpmProcess swtpm = SwtpmProcess.start()) {
            swtpm.runTool("tpm2_createprimary", "-C", "o", "-c", "primary.ctx").requireSuccess();
            assertTrue(Files.size(swtpm.workingDirectory().resolve("primary.ctx")) > 0, "relative output file");
            assertEquals(List.of("0x80000000"), handles(swtpm, "handles-transient"), "runTool leaves it loaded");
            swtpm.flushTransientHandles();
            assertEquals(List.of(), handles(swtpm, "handles-transient"));

            swtpm.runToolThenFlush("tpm2_createprimary", "-C", "o", "-c", "again.ctx").requireSuccess();
            assertEquals(List.of(), handles(swtpm, "handles-transient"));

            // the session lives from one command to the next, and the sequence stops at the first failure
            List<ProcessResult> results = swtpm.runToolsThenFlush(
                    List.of("tpm2_startauthsession", "--policy-session", "-S", "session.ctx"),
                    List.of("tpm2_policypcr", "-S", "session.ctx", "-l", "sha256:0", "-L", "policy.digest"),
                    List.of("tpm2_policycommandcode", "-S", "session.ctx", "no-such-command-code"),
                    List.of("tpm2_getcap", "properties-fixed"));
            assertEquals(3, results.size(), "ran up to the failing command");
            assertEquals(0, results.get(1).exitCode(), results.get(1).stderr());
            assertNotEquals(0, results.get(2).exitCode());
            assertEquals(32, Files.size(swtpm.workingDirectory().resolve("policy.digest")));
            assertEquals(List.of(), handles(swtpm, "handles-loaded-session"));
            assertEquals(List.of(), handles(swtpm, "handles-saved-session"));
        }
    }

    @Test
    void restartResetsTheTpmAndKeepsItsPersistentState() {
        try (SwtpmProcess swtpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start()) {
            int port = swtpm.port();
            swtpm.runToolThenFlush("tpm2_pcrextend", "16:sha256=" + "ab".repeat(32)).requireSuccess();
            String pcr16 = "sha256:16";
            String extended = pcrs(swtpm, pcr16);
            long resetCount = resetCount(swtpm);

            swtpm.restart();

            assertTrue(swtpm.isAlive());
            assertEquals(port, swtpm.port(), "the freed ports are taken again");
            assertEquals(resetCount + 1, resetCount(swtpm), "a TPM Reset counts");
            assertNotEquals(extended, pcrs(swtpm, pcr16), "PCR 16 is reset with the TPM");
            assertEquals(List.of("0x81010001", "0x81010016"), handles(swtpm, "handles-persistent"),
                    "the EKs persist");
            assertEquals(Set.of("sha1", "sha256"), Tpm2ToolsOutput.pcrValues(
                    swtpm.runTool("tpm2_pcrread").requireSuccess().stdout()).keySet(), "PCR banks as manufactured");
        }
    }

    @Test
    void tpm2ToolsPcrListingIsReadPerBankAndADuplicateIsRefused() {
        String listing = "quoted: ff544347\npcrs:\n  sha1:\n    0 : 0x00FF\n  sha256:\n    16: 0xAB01\n"
                + "    7 : 0x0000\n  sha384:\nsig: 1234\n  alg: rsassa\n";
        Map<String, SortedMap<Integer, byte[]>> values = Tpm2ToolsOutput.pcrValues(listing);
        assertEquals(List.of("sha1", "sha256"), List.copyOf(values.keySet()), "sha384 lists no value");
        assertArrayEquals(new byte[] {0x00, (byte) 0xFF}, values.get("sha1").get(0));
        assertEquals(List.of(7, 16), List.copyOf(values.get("sha256").keySet()));
        assertArrayEquals(new byte[] {(byte) 0xAB, 0x01}, values.get("sha256").get(16));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Tpm2ToolsOutput.pcrValues("  sha1:\n    3 : 0x00\n    3 : 0x01\n"));
        assertTrue(twice.getMessage().contains("PCR 3 listed twice") && twice.getMessage().contains("line 3"),
                twice.getMessage());
        assertEquals("rsassa", Tpm2ToolsOutput.field(listing, "alg"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Tpm2ToolsOutput.field(listing, "name"));
        assertTrue(missing.getMessage().contains("No 'name:' line"), missing.getMessage());
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** The handles tpm2_getcap lists, sorted. */
    private static List<String> handles(SwtpmProcess swtpm, String capability) {
        return swtpm.runTool("tpm2_getcap", capability).requireSuccess().stdout().lines()
                .map(line -> line.replaceFirst("^-\\s*", "").strip().toLowerCase(Locale.ROOT))
                .filter(handle -> !handle.isEmpty()).sorted().toList();
    }

    private static String pcrs(SwtpmProcess swtpm, String selection) {
        return swtpm.runTool("tpm2_pcrread", selection).requireSuccess().stdout();
    }

    private static long resetCount(SwtpmProcess swtpm) {
        return Long.parseLong(Tpm2ToolsOutput.field(swtpm.runTool("tpm2_readclock").requireSuccess().stdout(),
                "reset_count"));
    }
}
