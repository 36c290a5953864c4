package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The demo's argument checks. The demo itself starts agent processes of the assembled distribution,
 * so its end-to-end tests are in the agent distribution's tests (DemoTest).
 */
class DemoCommandTest {
    @Test
    void rejectsAnUnknownTamperMode() {
        Cli.Run run = Cli.run(new DemoCommand(), "demo", "--tamper", "everything");

        assertEquals(ExitCode.USAGE, run.exit(), run::toString);
        assertTrue(run.err().contains("--tamper 'everything'"), run::toString);
    }
}
