package org.vtpmmigrate.tpm;

import java.security.SecureRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Base of the tests that share one real swtpm per test class and talk to it through a fresh
 * connection per test, closed after it.
 * <p>
 * One test instance per class holds the swtpm in an instance field, so no static state is shared
 * between the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SwtpmPerClassTest {

    private final SwtpmProcess.Builder setup;
    private final SecureRandom random = new SecureRandom();
    /** The swtpm of this test class. */
    SwtpmProcess swtpm;
    /** The connection of the current test; a test may close it and assign another. */
    TpmConnection tpm;

    SwtpmPerClassTest(SwtpmProcess.Builder setup) {
        this.setup = setup;
    }

    @BeforeAll
    final void startSwtpm() {
        swtpm = setup.start();
    }

    @AfterAll
    final void stopSwtpm() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    @BeforeEach
    final void openConnection() throws TpmException {
        tpm = connect();
    }

    @AfterEach
    final void closeConnection() throws TpmException {
        tpm.close();
    }

    /** A new connection to this class's swtpm (swtpm serves one at a time: close the current one first). */
    final TpmConnection connect() throws TpmException {
        return TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec())).connect();
    }

    final byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
