package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end: real swtpm platform TPMs, real engines on 127.0.0.1, a real QEMU guest and
 * its swtpm vTPM migrated (or refused) between them.
 */
class DemoCommandTest {
    @TempDir
    Path work;

    @Test
    void migratesTheVmWithItsVtpmStateToTheOtherHost() {
        Cli.Run run = Cli.run(new DemoCommand(), "demo", "--memory", "64", "--work", work.toString());

        assertEquals(ExitCode.OK, run.exit(), run::toString);
        String out = run.out();
        assertTrue(out.contains("demo-vm to host-b: COMMITTED"), run::toString);
        assertTrue(out.matches("(?s).*source\\s+ACCEPTED \\(verified\\) at host-b.*"), run::toString);
        assertTrue(out.matches("(?s).*destination\\s+ACCEPTED \\(verified\\) at host-a.*"), run::toString);
        assertTrue(out.matches("(?s).*vm\\s+ACCEPTED \\(verified\\) at host-b.*"), run::toString);
        assertTrue(out.contains("ok   marker read back from host-b's vTPM with tpm2-tools: "
                + "'vtpm-state-travels-with-the-vm'"), run::toString);
        assertTrue(out.contains("ok   vTPM state on host-a: gone"), run::toString);
        assertTrue(out.contains("ok   VM on host-b: running, QEMU RUNNING"), run::toString);
        assertTrue(out.contains("pre-copy rounds  "), run::toString);
        assertTrue(!out.contains("FAIL "), run::toString);
        assertTrue(out.contains("work directory kept: " + work.toAbsolutePath()), run::toString);
    }

    @Test
    void refusesADestinationWhosePcrsBreakThePolicy() {
        Cli.Run run = Cli.run(new DemoCommand(), "demo", "--memory", "64", "--work", work.toString(), "--tamper",
                "destination");

        assertEquals(ExitCode.REFUSED, run.exit(), run::toString);
        String out = run.out();
        assertTrue(out.contains("demo-vm to host-b: REFUSED"), run::toString);
        assertTrue(out.matches("(?s).*destination\\s+REJECTED \\(verified\\) at host-a.*"), run::toString);
        assertTrue(out.contains("reason [POLICY] PCR sha256:4"), run::toString);
        assertTrue(out.contains("unapproved boot loader"), run::toString);
        assertTrue(out.contains("ok   VM on host-a: running, QEMU RUNNING"), run::toString);
        assertTrue(out.contains("RESULT: REFUSED (destination tampered); the VM stays on host-a"), run::toString);
    }

    @Test
    void rejectsAnUnknownTamperMode() {
        Cli.Run run = Cli.run(new DemoCommand(), "demo", "--tamper", "everything");

        assertEquals(ExitCode.USAGE, run.exit(), run::toString);
        assertTrue(run.err().contains("--tamper 'everything'"), run::toString);
    }
}
