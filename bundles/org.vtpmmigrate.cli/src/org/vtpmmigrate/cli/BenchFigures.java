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
    static final double TLS_TARGET_RATIO = 0.5;
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

    /**
     * One VM with random RAM migrated by the engine; the same configuration migrated by QEMU over a plain
     * Java relay, by QEMU straight over TCP and by QEMU over its own TLS, all in the same process.
     */
    record Migration(long memoryMiB, double engineTotalMs, double engineDowntimeMs, double plainTotalMs,
            double plainDowntimeMs, BenchBaselines.QemuMigration qemuTcp, BenchBaselines.QemuMigration qemuTls) {
        /** Engine against the plain relay. */
        double ratio() {
            return engineTotalMs / plainTotalMs;
        }

        double ratioToQemuTcp() {
            return engineTotalMs / qemuTcp.totalMs();
        }

        double ratioToQemuTls() {
            return engineTotalMs / qemuTls.totalMs();
        }
    }

    static final String CHANNEL_METHOD = "stream bytes / transfer phase of the random-RAM engine migration "
            + "(the record layer's sessions are only set up by a full protocol run)";
    static final String PLAIN_METHOD = "plain relay: source QEMU -> Java channel copy -> destination QEMU";
    static final String QEMU_TCP_METHOD = "QEMU's own migration, source QEMU -> 127.0.0.1 TCP -> destination QEMU "
            + "(migrate / migrate-incoming tcp:)";
    static final String QEMU_TLS_METHOD = "QEMU's own TLS migration: as QEMU TCP with tls-creds-x509 on both ends "
            + "(RSA 2048, client certificate required)";
    static final String BASELINE_VM = "every baseline VM has the engine VM's configuration and a vTPM (swtpm), "
            + "whose state travels in QEMU's stream; time runs from the destination listening to the stream "
            + "loaded; downtime is QEMU's query-migrate downtime on the source";

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

    /** Whole migration against QEMU's own plain TCP migration. */
    boolean migrationMet() {
        return migration.ratioToQemuTcp() <= MIGRATION_TARGET_RATIO;
    }

    /** Whole migration against QEMU's own TLS migration. */
    boolean tlsMet() {
        return migration.ratioToQemuTls() < TLS_TARGET_RATIO;
    }

    /** Engine downtime against QEMU's own plain TCP migration's downtime. */
    boolean downtimeMet() {
        return migration.engineDowntimeMs() <= migration.qemuTcp().downtimeMs() + DOWNTIME_TARGET_EXTRA_MS;
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
        BenchBaselines.QemuMigration tcp = migration.qemuTcp();
        BenchBaselines.QemuMigration tls = migration.qemuTls();
        row(out, "migration " + migration.memoryMiB() + " MiB random RAM", ms(migration.engineTotalMs()),
                ms(tcp.totalMs()), String.format(Locale.ROOT, "<= %.1fx QEMU TCP (%.2fx)", MIGRATION_TARGET_RATIO,
                        migration.ratioToQemuTcp()), migrationMet());
        row(out, "  vs QEMU TLS migration", ms(migration.engineTotalMs()), ms(tls.totalMs()),
                String.format(Locale.ROOT, "< %.1fx QEMU TLS (%.2fx)", TLS_TARGET_RATIO, migration.ratioToQemuTls()),
                tlsMet());
        row(out, "  vs plain relay", ms(migration.engineTotalMs()), ms(migration.plainTotalMs()),
                String.format(Locale.ROOT, "- (%.2fx)", migration.ratio()), null);
        row(out, "migration downtime", ms(migration.engineDowntimeMs()), ms(tcp.downtimeMs()),
                "<= QEMU TCP + " + (int) DOWNTIME_TARGET_EXTRA_MS + " ms", downtimeMet());
        row(out, "  QEMU TLS downtime", "-", ms(tls.downtimeMs()), "-", null);
        row(out, "  plain relay downtime", "-", ms(migration.plainDowntimeMs()), "-", null);
        out.println("channel: " + CHANNEL_METHOD + "; baseline: the same " + channel.bytes()
                + " bytes over a plain 127.0.0.1 TCP socket");
        out.println("QEMU TCP: " + QEMU_TCP_METHOD + "; " + qemuDetail(tcp));
        out.println("QEMU TLS: " + QEMU_TLS_METHOD + "; " + qemuDetail(tls));
        out.println(PLAIN_METHOD);
        out.println("baselines: " + BASELINE_VM);
    }

    private static String qemuDetail(BenchBaselines.QemuMigration m) {
        return String.format(Locale.ROOT, "QEMU total-time %.0f ms, %d RAM bytes, %d dirty syncs", m.qemuTotalMs(),
                m.bytes(), m.rounds());
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
        m.addProperty("plainMethod", PLAIN_METHOD);
        m.add("qemuTcp", qemuJson(migration.qemuTcp(), migration.ratioToQemuTcp(), QEMU_TCP_METHOD));
        m.add("qemuTls", qemuJson(migration.qemuTls(), migration.ratioToQemuTls(), QEMU_TLS_METHOD));
        m.addProperty("targetRatioToQemuTcp", MIGRATION_TARGET_RATIO);
        m.addProperty("met", migrationMet());
        m.addProperty("targetRatioToQemuTls", TLS_TARGET_RATIO);
        m.addProperty("tlsMet", tlsMet());
        m.addProperty("downtimeTargetExtraMs", DOWNTIME_TARGET_EXTRA_MS);
        m.addProperty("downtimeMet", downtimeMet());
        m.addProperty("baselines", BASELINE_VM);
        root.add("migration", m);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root);
    }

    private static JsonObject qemuJson(BenchBaselines.QemuMigration q, double engineRatio, String method) {
        JsonObject o = new JsonObject();
        o.addProperty("totalMs", q.totalMs());
        o.addProperty("downtimeMs", q.downtimeMs());
        o.addProperty("qemuTotalTimeMs", q.qemuTotalMs());
        o.addProperty("bytes", q.bytes());
        o.addProperty("dirtySyncs", q.rounds());
        o.addProperty("engineRatio", engineRatio);
        o.addProperty("method", method);
        return o;
    }
}
