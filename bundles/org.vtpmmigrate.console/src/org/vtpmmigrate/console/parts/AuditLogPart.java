package org.vtpmmigrate.console.parts;

import java.io.File;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.swt.ChartComposite;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.Reason;
import org.vtpmmigrate.console.dialogs.PathDialog;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AuditCollection;
import org.vtpmmigrate.console.model.AuditEntry;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.ModelEvents;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The attestation logs of every host in one virtual table, filtered by host, VM, verdict and time,
 * with each record's chain and signature status as the console verified it, a detail pane, and
 * charts of the verified records: the phases of each migration, pre-copy throughput, handshake
 * latency over time, verdicts per host. Charts export to PNG.
 */
public class AuditLogPart {
    public static final String ID = "org.vtpmmigrate.console.part.audit";
    /** Table column titles, in order. */
    public static final List<String> COLUMNS = List.of("Time", "Host", "Event", "VM", "Migration", "Verdict", "Chain",
            "Signature");
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final String ALL_HOSTS = "all hosts";
    private static final String ANY_VERDICT = "any";

    @Inject
    private ConsoleModel model;
    @Inject
    private UISynchronize sync;

    private Composite root;
    private Combo hostFilter;
    private Text vmFilter;
    private Combo verdictFilter;
    private Text fromFilter;
    private Text toFilter;
    private Label count;
    private Table table;
    private Text detail;
    private CTabFolder charts;
    private final Map<String, ChartComposite> chartViews = new LinkedHashMap<>();
    private ProblemLine problemLine;
    private List<AuditEntry> rows = List.of();
    private AuditCollection.Filter filter = AuditCollection.Filter.NONE;
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final ModelEvents.Listener listener = (topic, subject) -> {
        if ((topic == ModelEvents.Topic.AUDIT || topic == ModelEvents.Topic.AGENTS)
                && refreshPending.compareAndSet(false, true)) {
            sync.asyncExec(this::refreshView);
        }
    };

    @PostConstruct
    public void createControls(Composite parent) {
        root = PartControls.root(parent, ID);
        Composite filters = new Composite(root, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(13).applyTo(filters);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(filters);
        new Label(filters, SWT.NONE).setText("Host:");
        hostFilter = new Combo(filters, SWT.READ_ONLY);
        hostFilter.setItems(ALL_HOSTS);
        hostFilter.select(0);
        new Label(filters, SWT.NONE).setText("VM:");
        vmFilter = new Text(filters, SWT.BORDER);
        vmFilter.setMessage("part of a VM id");
        GridDataFactory.swtDefaults().hint(100, SWT.DEFAULT).applyTo(vmFilter);
        new Label(filters, SWT.NONE).setText("Verdict:");
        verdictFilter = new Combo(filters, SWT.READ_ONLY);
        verdictFilter.setItems(ANY_VERDICT, org.vtpmmigrate.audit.Verdict.TRUSTED.name(),
                org.vtpmmigrate.audit.Verdict.REFUSED.name());
        verdictFilter.select(0);
        new Label(filters, SWT.NONE).setText("From:");
        fromFilter = new Text(filters, SWT.BORDER);
        fromFilter.setMessage("yyyy-mm-dd [hh:mm]");
        GridDataFactory.swtDefaults().hint(120, SWT.DEFAULT).applyTo(fromFilter);
        new Label(filters, SWT.NONE).setText("To:");
        toFilter = new Text(filters, SWT.BORDER);
        toFilter.setMessage("yyyy-mm-dd [hh:mm]");
        GridDataFactory.swtDefaults().hint(120, SWT.DEFAULT).applyTo(toFilter);
        PartControls.button(filters, "Load logs", e -> model.audit().load());
        PartControls.button(filters, "Export chart...", e -> exportChart());
        count = new Label(filters, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(count);
        hostFilter.addListener(SWT.Selection, e -> applyFilter());
        verdictFilter.addListener(SWT.Selection, e -> applyFilter());
        vmFilter.addListener(SWT.Modify, e -> applyFilter());
        fromFilter.addListener(SWT.Modify, e -> applyFilter());
        toFilter.addListener(SWT.Modify, e -> applyFilter());

        SashForm vertical = new SashForm(root, SWT.VERTICAL);
        PartControls.fill(vertical);
        SashForm horizontal = new SashForm(vertical, SWT.HORIZONTAL);
        table = new Table(horizontal, SWT.BORDER | SWT.FULL_SELECTION | SWT.VIRTUAL | SWT.V_SCROLL | SWT.H_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        int[] widths = {170, 80, 170, 80, 90, 80, 110, 110};
        for (int i = 0; i < COLUMNS.size(); i++) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(COLUMNS.get(i));
            c.setWidth(widths[i]);
        }
        table.addListener(SWT.SetData, e -> fill((TableItem) e.item, table.indexOf((TableItem) e.item)));
        table.addListener(SWT.Selection, e -> showDetail());
        detail = new Text(horizontal, SWT.BORDER | SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.WRAP);
        detail.setFont(Styles.monospace());
        horizontal.setWeights(3, 2);

        charts = new CTabFolder(vertical, SWT.BORDER);
        for (String title : List.of(AuditChartBuilder.TIMELINE, AuditChartBuilder.THROUGHPUT, AuditChartBuilder.LATENCY,
                AuditChartBuilder.VERDICTS)) {
            CTabItem item = new CTabItem(charts, SWT.NONE);
            item.setText(title);
            // no built-in "save as": the wrapped jfreechart-swt calls a ChartUtilities that JFreeChart 1.5 lacks
            ChartComposite view = new ChartComposite(charts, SWT.NONE, AuditChartBuilder.verdicts(List.of()), true,
                    false, false, false, true);
            item.setControl(view);
            chartViews.put(title, view);
        }
        charts.setSelection(0);
        vertical.setWeights(1, 1);
        problemLine = new ProblemLine(root);
        model.events().add(listener);
        refreshView();
    }

    @PreDestroy
    public void dispose() {
        model.events().remove(listener);
    }

    @Focus
    public void focus() {
        table.setFocus();
    }

    private void refreshView() {
        refreshPending.set(false);
        if (root == null || root.isDisposed()) {
            return;
        }
        List<String> hosts = new ArrayList<>(List.of(ALL_HOSTS));
        model.agents().all().stream().map(Agent::hostId).forEach(hosts::add);
        String current = hostFilter.getText();
        if (!hosts.equals(List.of(hostFilter.getItems()))) {
            hostFilter.setItems(hosts.toArray(String[]::new));
            hostFilter.select(Math.max(0, hosts.indexOf(current)));
        }
        applyFilter();
        List<String> notes = new ArrayList<>();
        Failure first = null;
        for (AuditCollection.HostLog log : model.audit().hostLogs().values()) {
            if (log.problem().isPresent() && first == null) {
                first = log.problem().get();
            }
            log.report().ifPresent(r -> notes.add(r.summary()));
        }
        if (model.audit().isLoading()) {
            problemLine.note("Reading and verifying the attestation logs...");
        } else if (first != null) {
            problemLine.show(first);
        } else if (!notes.isEmpty()) {
            problemLine.note(String.join("; ", notes));
        } else {
            problemLine.note("Press \"Load logs\" to read the attestation logs of every host.");
        }
    }

    private void applyFilter() {
        String problem = null;
        Instant from = null;
        Instant to = null;
        try {
            from = parseTime(fromFilter.getText(), false);
        } catch (DateTimeParseException e) {
            problem = "From: '" + fromFilter.getText() + "' is not a date (yyyy-mm-dd or yyyy-mm-dd hh:mm)";
        }
        try {
            to = parseTime(toFilter.getText(), true);
        } catch (DateTimeParseException e) {
            problem = "To: '" + toFilter.getText() + "' is not a date (yyyy-mm-dd or yyyy-mm-dd hh:mm)";
        }
        fromFilter.setBackground(problem != null && problem.startsWith("From") ? Styles.MISMATCH_BACKGROUND : null);
        toFilter.setBackground(problem != null && problem.startsWith("To") ? Styles.MISMATCH_BACKGROUND : null);
        String host = hostFilter.getSelectionIndex() <= 0 ? null : hostFilter.getText();
        String verdict = verdictFilter.getText();
        filter = new AuditCollection.Filter(host, vmFilter.getText(), ANY_VERDICT.equals(verdict) ? null
                : org.vtpmmigrate.audit.Verdict.valueOf(verdict), from, to);
        rows = model.audit().filtered(filter);
        table.clearAll();
        table.setItemCount(rows.size());
        int total = model.audit().entries().size();
        long unverified = rows.stream().filter(r -> !r.result().ok()).count();
        count.setText(rows.size() + " of " + total + " records" + (unverified > 0 ? ", " + unverified
                + " NOT verified" : "") + (problem != null ? " - " + problem : ""));
        count.getParent().layout();
        showDetail();
        updateCharts();
    }

    /** A record time as the console shows it (local time zone). */
    public static String formatTime(Instant time) {
        return TIME.format(time);
    }

    static Instant parseTime(String text, boolean endOfDay) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (t.length() == 10) {
            LocalDate day = LocalDate.parse(t);
            return (endOfDay ? day.plusDays(1).atStartOfDay().minusNanos(1) : day.atStartOfDay())
                    .atZone(ZoneId.systemDefault()).toInstant();
        }
        return LocalDateTime.parse(t.replace(' ', 'T')).atZone(ZoneId.systemDefault()).toInstant();
    }

    private void fill(TableItem item, int index) {
        if (index < 0 || index >= rows.size()) {
            return;
        }
        AuditEntry e = rows.get(index);
        item.setText(new String[] {TIME.format(e.time()), e.hostId(), e.kind(), e.vmId().orElse(""),
                e.migrationId().orElse(""), e.verdict().map(Enum::name).orElse(""), e.chainStatus(),
                e.signatureStatus()});
        if (!e.result().ok()) {
            item.setBackground(Styles.MISMATCH_BACKGROUND);
        } else if (e.verdict().filter(v -> v == org.vtpmmigrate.audit.Verdict.REFUSED).isPresent()) {
            item.setForeground(5, Styles.UNTRUSTED);
        } else if (e.verdict().isPresent()) {
            item.setForeground(5, Styles.TRUSTED);
        }
    }

    private void showDetail() {
        int i = table.getSelectionIndex();
        if (i < 0 || i >= rows.size()) {
            detail.setText(rows.isEmpty() ? "" : "Select a record to see all it says and how it was verified.");
            return;
        }
        detail.setText(describe(rows.get(i)));
    }

    static String describe(AuditEntry e) {
        StringBuilder out = new StringBuilder();
        org.vtpmmigrate.management.AuditRecord l = e.listed();
        out.append("Host:       ").append(e.hostId()).append("  sequence ").append(l.sequence()).append('\n');
        out.append("Recorded:   ").append(l.recordedAt()).append('\n');
        out.append("Event:      ").append(e.kind()).append('\n');
        out.append("Summary:    ").append(l.summary()).append('\n');
        out.append("Caused by:  ").append(l.actor() == null ? "the engine" : l.actor()).append('\n');
        out.append("Chain:      ").append(e.chainStatus()).append('\n');
        out.append("Signature:  ").append(e.signatureStatus()).append('\n');
        e.result().problems().forEach(p -> out.append("  problem:  ").append(p).append('\n'));
        e.record().ifPresent(r -> describeRecord(r, out, e.result().ok()));
        return out.toString();
    }

    private static void describeRecord(AuditRecord r, StringBuilder out, boolean verified) {
        out.append(verified ? "Signed content:\n" : "Content (NOT verified, do not rely on it):\n");
        r.event().migrationId().ifPresent(m -> out.append("  migration ").append(m).append('\n'));
        r.event().vmId().ifPresent(v -> out.append("  VM        ").append(v).append('\n'));
        r.event().peerHost().ifPresent(p -> out.append("  peer      ").append(p).append('\n'));
        r.event().role().ifPresent(p -> out.append("  role      ").append(p).append('\n'));
        r.event().verdict().ifPresent(v -> out.append("  verdict   ").append(v).append('\n'));
        for (Reason reason : r.event().reasons()) {
            out.append("  reason    ").append(reason.severity()).append(' ').append(reason.category()).append(' ')
                    .append(reason.subject()).append(": ").append(reason.message());
            if (!reason.expected().isEmpty() || !reason.actual().isEmpty()) {
                out.append(" (expected ").append(reason.expected()).append(", found ").append(reason.actual())
                        .append(')');
            }
            out.append('\n');
        }
        r.event().phases().forEach(p -> out.append("  phase     ").append(p.phase()).append(" from ").append(p.start())
                .append(", ").append(p.durationMillis()).append(" ms\n"));
        r.event().preCopyRounds().forEach(p -> out.append("  round     ").append(p.round()).append(": ")
                .append(p.bytes()).append(" bytes in ").append(p.durationMillis()).append(" ms\n"));
        r.event().bytes().ifPresent(b -> out.append("  bytes     ").append(b).append('\n'));
        r.event().details().forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v).append('\n'));
        out.append("  hash      ").append(java.util.HexFormat.of().formatHex(r.recordHash())).append('\n');
    }

    private void updateCharts() {
        List<AuditRecord> verified = model.audit().verifiedRecords(filter);
        Map<String, Function<List<AuditRecord>, JFreeChart>> builders = Map.of(
                AuditChartBuilder.TIMELINE, AuditChartBuilder::timeline,
                AuditChartBuilder.THROUGHPUT, AuditChartBuilder::throughput,
                AuditChartBuilder.LATENCY, AuditChartBuilder::latency,
                AuditChartBuilder.VERDICTS, AuditChartBuilder::verdicts);
        chartViews.forEach((title, view) -> {
            view.setChart(builders.get(title).apply(verified));
            view.forceRedraw();
        });
    }

    /** The chart shown in the selected tab. */
    JFreeChart selectedChart() {
        return chartViews.get(charts.getSelection().getText()).getChart();
    }

    private void exportChart() {
        JFreeChart chart = selectedChart();
        String name = charts.getSelection().getText().toLowerCase().replace(' ', '-') + ".png";
        PathDialog.ask(root.getShell(), "Export chart", "The PNG file to write \"" + charts.getSelection().getText()
                + "\" to.", PathDialog.Kind.SAVE_FILE, new File(System.getProperty("user.home"), name).getPath())
                .ifPresent(file -> {
                    try {
                        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 560);
                        problemLine.note("Chart written to " + file + ".");
                    } catch (IOException e) {
                        problemLine.show(Failure.fromIo("The chart was not exported", e));
                    }
                });
    }
}
