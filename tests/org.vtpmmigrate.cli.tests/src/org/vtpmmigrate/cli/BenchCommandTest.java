package org.vtpmmigrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The benchmark with tiny parameters, end to end: real swtpm platform TPMs, engines on 127.0.0.1
 * and QEMU guests, the plain baselines run in the same process. Checks every figure is there and
 * plausible, not that targets are met (that depends on the machine).
 */
class BenchCommandTest {
    @TempDir
    Path work;

    @Test
    void reportsEveryFigureWithItsBaselineAsJson() {
        Cli.Run run = Cli.run(new BenchCommand(), "bench", "--json", "--runs", "3", "--memory", "64", "--work",
                work.toString());

        assertEquals(ExitCode.OK, run.exit(), run::toString);
        JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();

        JsonObject handshake = json.getAsJsonObject("handshake");
        assertEquals(3, handshake.get("runs").getAsInt(), run::toString);
        positive(handshake, run, "medianMs", "p95Ms", "totalMedianMs", "downtimeMedianMs", "targetMedianMs");
        assertTrue(handshake.get("p95Ms").getAsDouble() >= handshake.get("medianMs").getAsDouble(), run::toString);
        assertTrue(handshake.get("totalMedianMs").getAsDouble() >= handshake.get("medianMs").getAsDouble(),
                run::toString);
        assertTrue(handshake.has("met"), run::toString);

        JsonObject channel = json.getAsJsonObject("channel");
        // the stream of a 64 MiB guest full of random bytes carries nearly all of them (the guest's
        // firmware zeroes a few pages before the migration, and QEMU sends zero pages as flags)
        assertTrue(channel.get("bytes").getAsLong() >= 0.9 * 64 * 1024 * 1024, "channel bytes\n" + run);
        positive(channel, run, "recordLayerGBps", "plainSocketGBps", "targetGBps");
        assertTrue(channel.has("met") && channel.has("method"), run::toString);

        JsonObject migration = json.getAsJsonObject("migration");
        assertEquals(64, migration.get("memoryMiB").getAsLong(), run::toString);
        positive(migration, run, "engineTotalMs", "plainTotalMs", "ratioToPlain", "targetRatioToQemuTcp",
                "targetRatioToQemuTls");
        for (String field : List.of("engineDowntimeMs", "plainDowntimeMs")) {
            assertTrue(migration.get(field).getAsDouble() >= 0, field + "\n" + run);
        }
        assertEquals(migration.get("engineTotalMs").getAsDouble() / migration.get("plainTotalMs").getAsDouble(),
                migration.get("ratioToPlain").getAsDouble(), 1e-9, run::toString);
        // QEMU's own plain and TLS migration of the same VM, measured in the same run
        for (String baseline : List.of("qemuTcp", "qemuTls")) {
            JsonObject qemu = migration.getAsJsonObject(baseline);
            positive(qemu, run, "totalMs", "bytes", "engineRatio");
            // the guest's random RAM (QEMU counts its own RAM bytes, which may skip a few pages)
            assertTrue(qemu.get("bytes").getAsLong() >= 0.9 * 64 * 1024 * 1024, baseline + " moved the RAM\n" + run);
            assertEquals(migration.get("engineTotalMs").getAsDouble() / qemu.get("totalMs").getAsDouble(),
                    qemu.get("engineRatio").getAsDouble(), 1e-9, run::toString);
        }
        assertTrue(migration.has("met") && migration.has("tlsMet") && migration.has("downtimeMet"), run::toString);
    }

    @Test
    void rejectsARunCountOutsideItsRange() {
        Cli.Run run = Cli.run(new BenchCommand(), "bench", "--runs", "0");

        assertEquals(ExitCode.USAGE, run.exit(), run::toString);
        assertTrue(run.err().contains("--runs 0 outside 1..10000"), run::toString);
    }

    private static void positive(JsonObject object, Cli.Run run, String... fields) {
        for (String field : fields) {
            assertTrue(object.has(field) && object.get(field).getAsDouble() > 0, field + "\n" + run);
        }
    }
}
