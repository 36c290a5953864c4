package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.Await;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;

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
        assertTrue(Files.isDirectory(state));
        assertTrue(swtpm.isAlive());
        assertEquals(swtpm.port() + 1, swtpm.controlPort(), "tpm2-tools expects the control port next to the data port");
        assertTrue(swtpm.runTool("tpm2_getcap", "properties-fixed").requireSuccess().stdout().contains("TPM2_PT_FAMILY_INDICATOR"));
        swtpm.close();
        assertFalse(swtpm.isAlive());
        assertFalse(Files.exists(state));
        assertEquals(2, SwtpmProcess.localCaCertificateFiles().size());
    }
}
