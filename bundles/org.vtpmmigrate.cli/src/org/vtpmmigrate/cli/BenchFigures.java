package org.vtpmmigrate.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

/**
 * The figures of one {@code bench} run, each next to its baseline from the same process, and how
 * they compare with the targets. Throughputs are in GB/s (10^9 bytes per second).
 */
final class BenchFigures {
    static final double HANDSHAKE_TARGET_MS = 25;
    static final double CHANNEL_TARGET_GBPS = 1.5;
    static final double MIGRATION_TARGET_RATIO = 1.2;
    static final double DOWNTIME_TARGET_EXTRA_MS = 10;

    /** Migrations of the idle VM: handshake, total and downtime of each run, in milliseconds. */
    record Handshake(int runs, double[] handshakeMs, double[] totalMs, double[] downtimeMs) {
        double median() {
            return percentile(handshakeMs, 50);
        }

        double p95() {
            return percentile(handshakeMs, 95);
        }
    }

    /**
     * The record layer as a migration uses it: migration-stream bytes over the transfer phase, against
     * the same number of bytes copied over a plain loopback TCP socket.
     */
    record Channel(long bytes, double recordLayerNanos, double plainSocketNanos) {
        double recordLayerGBps() {
            return bytes / recordLayerNanos;
        }

        double plainSocketGBps() {
            return bytes / plainSocketNanos;
        }
    }

    /** One VM with random RAM migrated by the engine, and by QEMU over a plain Java relay. */
    record Migration(long memoryMiB, double engineTotalMs, double engineDowntimeMs, double plainTotalMs,
            double plainDowntimeMs) {
        double ratio() {
            return engineTotalMs / plainTotalMs;
        }
    }

    /** Why no QEMU TLS baseline: the hypervisor bundle carries QEMU's stream only as local channels. */
    static final String TLS_NOT_MEASURED = "not measured: the hypervisor API hands QEMU's stream over unix-socket "
            + "channels only; it has no tcp or tls-creds migration";
    static final String CHANNEL_METHOD = "stream bytes / transfer phase of the random-RAM engine migration "
            + "(the record layer's sessions are only set up by a full protocol run)";
    static final String PLAIN_METHOD = "plain relay: source QEMU -> Java channel copy -> destination QEMU";

    private final Handshake handshake;
    private final Channel channel;
    private final Migration migration;

    BenchFigures(Handshake handshake, Channel channel, Migration migration) {
        this.handshake = handshake;
        this.channel = channel;
        this.migration = migration;
    }

    /** The value at {@code percent} (nearest rank) of {@code values}. */
    static double percentile(double[] values, int percent) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    boolean handshakeMet() {
        return handshake.median() <= HANDSHAKE_TARGET_MS;
    }

    boolean channelMet() {
        return channel.recordLayerGBps() >= CHANNEL_TARGET_GBPS;
    }

    boolean migrationMet() {
        return migration.ratio() <= MIGRATION_TARGET_RATIO;
    }

    boolean downtimeMet() {
        return migration.engineDowntimeMs() <= migration.plainDowntimeMs() + DOWNTIME_TARGET_EXTRA_MS;
    }

    void printTable(PrintStream out) {
        out.println("vtpm-migrate bench");
        out.printf(Locale.ROOT, "%-34s %14s %14s   %s%n", "figure", "measured", "baseline", "target");
        row(out, "handshake median (" + handshake.runs() + " runs)", ms(handshake.median()), "-",
                "<= " + HANDSHAKE_TARGET_MS + " ms", handshakeMet());
        row(out, "handshake p95", ms(handshake.p95()), "-", "-", null);
        row(out, "idle migration total median", ms(percentile(handshake.totalMs(), 50)), "-", "-", null);
        row(out, "idle migration downtime median", ms(percentile(handshake.downtimeMs(), 50)), "-", "-", null);
        row(out, "channel throughput", gbps(channel.recordLayerGBps()), gbps(channel.plainSocketGBps()),
                ">= " + CHANNEL_TARGET_GBPS + " GB/s", channelMet());
        row(out, "migration " + migration.memoryMiB() + " MiB random RAM", ms(migration.engineTotalMs()),
                ms(migration.plainTotalMs()), String.format(Locale.ROOT, "<= %.1fx plain (%.2fx)",
                        MIGRATION_TARGET_RATIO, migration.ratio()), migrationMet());
        row(out, "migration downtime", ms(migration.engineDowntimeMs()), ms(migration.plainDowntimeMs()),
                "<= plain + " + (int) DOWNTIME_TARGET_EXTRA_MS + " ms", downtimeMet());
        row(out, "vs QEMU TLS migration", "-", "-", "< 0.5x TLS", null);
        out.println("channel: " + CHANNEL_METHOD + "; baseline: the same " + channel.bytes()
                + " bytes over a plain 127.0.0.1 TCP socket");
        out.println("migration baseline: " + PLAIN_METHOD);
        out.println("QEMU TLS: " + TLS_NOT_MEASURED);
    }

    private static void row(PrintStream out, String figure, String measured, String baseline, String target,
            Boolean met) {
        out.printf(Locale.ROOT, "%-34s %14s %14s   %s%s%n", figure, measured, baseline, target,
                met == null ? "" : met ? "  met" : "  MISSED");
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.1f ms", value);
    }

    private static String gbps(double value) {
        return String.format(Locale.ROOT, "%.3f GB/s", value);
    }

    String toJson() {
        JsonObject root = new JsonObject();
        JsonObject h = new JsonObject();
        h.addProperty("runs", handshake.runs());
        h.addProperty("medianMs", handshake.median());
        h.addProperty("p95Ms", handshake.p95());
        h.addProperty("totalMedianMs", percentile(handshake.totalMs(), 50));
        h.addProperty("downtimeMedianMs", percentile(handshake.downtimeMs(), 50));
        h.addProperty("targetMedianMs", HANDSHAKE_TARGET_MS);
        h.addProperty("met", handshakeMet());
        root.add("handshake", h);

        JsonObject c = new JsonObject();
        c.addProperty("bytes", channel.bytes());
        c.addProperty("recordLayerGBps", channel.recordLayerGBps());
        c.addProperty("plainSocketGBps", channel.plainSocketGBps());
        c.addProperty("targetGBps", CHANNEL_TARGET_GBPS);
        c.addProperty("met", channelMet());
        c.addProperty("method", CHANNEL_METHOD);
        root.add("channel", c);

        JsonObject m = new JsonObject();
        m.addProperty("memoryMiB", migration.memoryMiB());
        m.addProperty("engineTotalMs", migration.engineTotalMs());
        m.addProperty("engineDowntimeMs", migration.engineDowntimeMs());
        m.addProperty("plainTotalMs", migration.plainTotalMs());
        m.addProperty("plainDowntimeMs", migration.plainDowntimeMs());
        m.addProperty("ratioToPlain", migration.ratio());
        m.addProperty("targetRatioToPlain", MIGRATION_TARGET_RATIO);
        m.addProperty("met", migrationMet());
        m.addProperty("downtimeTargetExtraMs", DOWNTIME_TARGET_EXTRA_MS);
        m.addProperty("downtimeMet", downtimeMet());
        m.addProperty("plainMethod", PLAIN_METHOD);
        m.addProperty("tls", TLS_NOT_MEASURED);
        root.add("migration", m);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root);
    }
}
