package org.vtpmmigrate.console.parts;

import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.gantt.Task;
import org.jfree.data.gantt.TaskSeries;
import org.jfree.data.gantt.TaskSeriesCollection;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.SimpleTimePeriod;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.vtpmmigrate.audit.AuditCharts;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.MigrationPhase;

/**
 * The four charts of the attestation log review, drawn from verified audit records only (a record
 * whose chain or signature does not check out is in the table, marked, and in no chart).
 */
final class AuditChartBuilder {
    static final String TIMELINE = "Migration phases";
    static final String THROUGHPUT = "Pre-copy throughput";
    static final String LATENCY = "Handshake latency";
    static final String VERDICTS = "Verdicts per host";

    private AuditChartBuilder() {
    }

    /** One bar per phase and migration (on each host), placed in time. */
    static JFreeChart timeline(Collection<AuditRecord> records) {
        Map<MigrationPhase, TaskSeries> series = new LinkedHashMap<>();
        for (MigrationPhase p : MigrationPhase.values()) {
            series.put(p, new TaskSeries(p.name().toLowerCase().replace('_', ' ')));
        }
        for (AuditCharts.MigrationTimeline t : AuditCharts.phaseTimelines(records)) {
            String row = t.migrationId() + " @ " + t.hostId() + " (" + t.role().name().toLowerCase() + ")";
            for (AuditCharts.PhaseSpan s : t.phases()) {
                // a phase of 0 ms still gets a visible sliver
                long end = Math.max(s.end().toEpochMilli(), s.start().toEpochMilli() + 1);
                series.get(s.phase()).add(new Task(row, new SimpleTimePeriod(Date.from(s.start()), new Date(end))));
            }
        }
        TaskSeriesCollection data = new TaskSeriesCollection();
        series.values().stream().filter(s -> s.getItemCount() > 0).forEach(data::add);
        return ChartFactory.createGanttChart(TIMELINE, "Migration and host", "Time", data, true, true, false);
    }

    /** Bytes per second of every pre-copy round, per migration and host. */
    static JFreeChart throughput(Collection<AuditRecord> records) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (AuditCharts.RoundThroughput r : AuditCharts.throughput(records)) {
            if (!Double.isNaN(r.bytesPerSecond())) {
                data.addValue(r.bytesPerSecond() / (1024 * 1024), r.migrationId() + " @ " + r.hostId(),
                        "round " + r.round());
            }
        }
        return ChartFactory.createBarChart(THROUGHPUT, "Pre-copy round", "MiB/s", data, PlotOrientation.VERTICAL,
                true, true, false);
    }

    /** Time from the start of attestation to the end of key establishment, over time, per host. */
    static JFreeChart latency(Collection<AuditRecord> records) {
        Map<String, TimeSeries> perHost = new LinkedHashMap<>();
        Map<String, java.time.Instant> starts = new LinkedHashMap<>();
        for (AuditCharts.MigrationTimeline t : AuditCharts.phaseTimelines(records)) {
            t.phases().stream().filter(p -> p.phase() == MigrationPhase.ATTESTATION).findFirst()
                    .ifPresent(p -> starts.put(t.migrationId() + "\n" + t.hostId(), p.start()));
        }
        for (AuditCharts.HandshakeLatency l : AuditCharts.handshakeLatencies(records)) {
            java.time.Instant at = starts.get(l.migrationId() + "\n" + l.hostId());
            if (at != null) {
                perHost.computeIfAbsent(l.hostId(), h -> new TimeSeries(h))
                        .addOrUpdate(new Millisecond(Date.from(at)), l.millis());
            }
        }
        TimeSeriesCollection data = new TimeSeriesCollection();
        perHost.values().forEach(data::addSeries);
        return ChartFactory.createTimeSeriesChart(LATENCY, "Attestation started", "Milliseconds", data, true, true,
                false);
    }

    /** Trusted and refused verdicts each host reached. */
    static JFreeChart verdicts(Collection<AuditRecord> records) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (AuditCharts.VerdictCount c : AuditCharts.verdictsPerHost(records)) {
            data.addValue(c.trusted(), "trusted", c.hostId());
            data.addValue(c.refused(), "refused", c.hostId());
        }
        JFreeChart chart = ChartFactory.createStackedBarChart(VERDICTS, "Host", "Verdicts", data,
                PlotOrientation.VERTICAL, true, true, false);
        chart.getCategoryPlot().getRenderer().setSeriesPaint(0, new java.awt.Color(0, 128, 0));
        chart.getCategoryPlot().getRenderer().setSeriesPaint(1, new java.awt.Color(190, 0, 0));
        return chart;
    }
}
