package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.swt.ChartComposite;
import org.jfree.data.category.CategoryDataset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.console.model.AuditEntry;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.parts.AuditLogPart;
import org.vtpmmigrate.console.parts.Styles;

/**
 * The attestation log review over the fixture hosts' signed logs (two seeded migrations, one
 * committed, one refused; one record of charlie's log altered after signing): one table across hosts,
 * filters, chain and signature status per record, the detail pane, the four charts and PNG export.
 */
class AuditLogPartTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private static final int TIME = 0;
    private static final int HOST = 1;
    private static final int EVENT = 2;
    private static final int VM = 3;
    private static final int VERDICT = 5;
    private static final int CHAIN = 6;
    private static final int SIGNATURE = 7;

    private ConsoleModel model;
    private Composite part;
    private Table table;

    @BeforeEach
    void load() throws Exception {
        model = ConsoleUi.configure(FIXTURE.network());
        part = ConsoleUi.show(AuditLogPart.ID);
        table = find(part, Table.class, t -> t.getColumnCount() == AuditLogPart.COLUMNS.size());
        click(button(part, "Load logs"));
        waitFor(() -> !model.audit().isLoading() && model.audit().hostLogs().size() == 5,
                "the logs of the five hosts are read");
        ConsoleUi.settle();
    }

    private List<String> column(int column) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < table.getItemCount(); i++) {
            out.add(table.getItem(i).getText(column));
        }
        return out;
    }

    private Label countLabel() {
        return find(part, Label.class, l -> l.getText().contains(" records"));
    }

    @Test
    void recordsOfAllHostsWithChainAndSignatureStatus() {
        List<AuditEntry> all = model.audit().entries();
        assertEquals(all.size(), table.getItemCount(), "every record is in the one table");
        assertTrue(column(HOST).containsAll(List.of("alpha", "bravo", "charlie")), column(HOST).toString());
        List<String> times = column(TIME);
        List<String> sorted = new ArrayList<>(times);
        sorted.sort(null);
        assertEquals(sorted, times, "records of all hosts in time order");

        // the record altered after signing is the only one that fails, and says where
        List<Integer> broken = new ArrayList<>();
        for (int i = 0; i < table.getItemCount(); i++) {
            if (!"intact".equals(table.getItem(i).getText(CHAIN))) {
                broken.add(i);
            }
        }
        assertEquals(1, broken.size(), "one altered record: " + column(CHAIN));
        int row = broken.get(0);
        assertEquals("charlie", table.getItem(row).getText(HOST));
        assertEquals("ATTESTATION_VERDICT", table.getItem(row).getText(EVENT));
        assertTrue(table.getItem(row).getText(CHAIN).startsWith("broken chain (verdict)"),
                table.getItem(row).getText(CHAIN));
        assertEquals(Styles.MISMATCH_BACKGROUND.getRGB(), table.getItem(row).getBackground().getRGB());
        assertTrue(column(SIGNATURE).stream().filter(s -> s.equals("valid")).count() >= all.size() - 1,
                "every other record's AK signature verifies: " + column(SIGNATURE));
        assertTrue(countLabel().getText().contains("1 NOT verified"), countLabel().getText());

        // the detail pane
        ConsoleUi.select(table, row);
        Text detail = find(part, Text.class, t -> (t.getStyle() & SWT.MULTI) != 0);
        assertTrue(detail.getText().contains("Content (NOT verified, do not rely on it)"), detail.getText());
        assertTrue(detail.getText().contains("problem:  BROKEN_CHAIN [verdict]"), detail.getText());
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "audit-log.png");
    }

    @Test
    void filtersByHostVmVerdictAndTime() {
        int total = table.getItemCount();
        ConsoleUi.select(find(part, Combo.class, c -> c.getItemCount() > 0 && c.getItem(0).equals("all hosts")), "bravo");
        waitFor(() -> table.getItemCount() > 0 && column(HOST).stream().allMatch("bravo"::equals),
                "only bravo's records: " + column(HOST));
        ConsoleUi.select(find(part, Combo.class, c -> c.getItemCount() > 0 && c.getItem(0).equals("all hosts")),
                "all hosts");

        Text vm = find(part, Text.class, t -> "part of a VM id".equals(t.getMessage()));
        ConsoleUi.type(vm, FixtureNetwork.SEED_COMMITTED_VM);
        assertTrue(table.getItemCount() > 0 && column(VM).stream().allMatch(FixtureNetwork.SEED_COMMITTED_VM::equals),
                column(VM).toString());
        assertTrue(column(HOST).containsAll(List.of("alpha", "bravo")), "both sides of the committed run");
        ConsoleUi.type(vm, "");

        Combo verdict = find(part, Combo.class, c -> Arrays.asList(c.getItems()).contains("REFUSED"));
        ConsoleUi.select(verdict, "REFUSED");
        assertTrue(table.getItemCount() >= 1 && column(VERDICT).stream().allMatch("REFUSED"::equals), column(VERDICT)
                .toString());
        assertTrue(column(HOST).contains("alpha"), "alpha refused charlie at the seeded migration");
        ConsoleUi.select(verdict, "any");
        assertEquals(total, table.getItemCount());

        Text from = find(part, Text.class, t -> "yyyy-mm-dd [hh:mm]".equals(t.getMessage()));
        ConsoleUi.type(from, "yesterday");
        assertTrue(countLabel().getText().contains("is not a date"), countLabel().getText());
        assertEquals(Styles.MISMATCH_BACKGROUND.getRGB(), from.getBackground().getRGB());
        ConsoleUi.type(from, LocalDate.now().plusDays(1).toString());
        assertEquals(0, table.getItemCount(), "nothing was recorded tomorrow");
        ConsoleUi.type(from, LocalDate.now().minusDays(1).toString());
        assertEquals(total, table.getItemCount(), "everything was recorded since yesterday");
        ConsoleUi.type(from, "");
    }

    private static long charted(CategoryDataset data, String series, String host) {
        if (data.getColumnIndex(host) < 0 || data.getRowIndex(series) < 0 || data.getValue(series, host) == null) {
            return 0;
        }
        return data.getValue(series, host).longValue();
    }

    @Test
    void chartsOfVerifiedRecordsExportToPng(@TempDir Path dir) throws Exception {
        List<ChartComposite> charts = ConsoleUi.findAll(part, ChartComposite.class, c -> true);
        assertEquals(4, charts.size());
        JFreeChart timeline = charts.get(0).getChart();
        CategoryDataset phases = timeline.getCategoryPlot().getDataset();
        List<String> rows = new ArrayList<>();
        for (Object key : phases.getColumnKeys()) {
            rows.add(key.toString());
        }
        assertTrue(rows.stream().anyMatch(r -> r.contains("vm-seed @ bravo (source)")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.contains("vm-seed @ alpha (destination)")), rows.toString());
        List<String> series = new ArrayList<>();
        for (int i = 0; i < phases.getRowCount(); i++) {
            series.add(phases.getRowKey(i).toString());
        }
        assertTrue(series.containsAll(List.of("request", "attestation", "transfer")), "phases are series: " + series);

        CategoryDataset rounds = charts.get(1).getChart().getCategoryPlot().getDataset();
        assertEquals(List.of("round 1", "round 2", "round 3"), rounds.getColumnKeys(), "three pre-copy rounds");
        assertTrue(rounds.getValue(0, 0).doubleValue() > 0, "throughput of round 1 is positive");

        assertTrue(charts.get(2).getChart().getXYPlot().getDataset().getItemCount(0) >= 1,
                "a handshake latency of the committed run");

        CategoryDataset verdicts = charts.get(3).getChart().getCategoryPlot().getDataset();
        assertTrue(verdicts.getColumnIndex("alpha") >= 0, "alpha reached verdicts: " + verdicts.getColumnKeys());
        assertTrue(charted(verdicts, "refused", "alpha") >= 1, "alpha refused charlie in the seeded run");
        for (String host : List.of("alpha", "bravo", "charlie")) {
            for (org.vtpmmigrate.audit.Verdict v : org.vtpmmigrate.audit.Verdict.values()) {
                long verified = model.audit().entries().stream().filter(e -> e.hostId().equals(host)
                        && e.verified().flatMap(r -> r.event().verdict()).filter(v::equals).isPresent()).count();
                assertEquals(verified, charted(verdicts, v.name().toLowerCase(), host),
                        host + " " + v + ": the chart counts verified records only");
            }
        }
        long charlieListed = model.audit().entries().stream().filter(e -> e.hostId().equals("charlie")
                && e.verdict().isPresent()).count();
        long charlieCharted = charted(verdicts, "trusted", "charlie") + charted(verdicts, "refused", "charlie");
        assertEquals(charlieListed - 1, charlieCharted, "charlie's altered verdict record is in no chart");

        ConsoleUi.selectTab(ConsoleUi.tab(part, "Verdicts per host"));
        Path png = dir.resolve("verdicts.png");
        ConsoleUi.DialogRun export = ConsoleUi.whenShellOpens("Export chart", shell -> {
            ConsoleUi.type(find(shell, Text.class, t -> true), png.toString());
            click(button(shell, "OK"));
        });
        click(button(part, "Export chart..."));
        export.check();
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 5_000, "a chart image: " + bytes.length + " bytes");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "audit-log-verdicts-chart.png");
        ConsoleUi.selectTab(ConsoleUi.tab(part, "Migration phases"));
        assertNotNull(ConsoleUi.screenshot(ConsoleUi.mainWindow(), "audit-log-timeline-chart.png"));
    }
}
