package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.selectRow;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.console.parts.InspectorPart;
import org.vtpmmigrate.console.parts.Styles;
import org.vtpmmigrate.testsupport.TestData;

/**
 * The PCR and measurement inspector on a clean and on a tampered host: PCR values with replay status,
 * the boot log as a tree by PCR, the IMA log with allowlist status, mismatches highlighted with
 * expected and actual values, and the evidence exported.
 */
class InspectorPartTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private ConsoleModel model;

    @BeforeEach
    void configure() throws Exception {
        model = ConsoleUi.configure(FIXTURE.network());
        model.setActivePolicy(new ConsoleModel.ActivePolicy(FIXTURE.network().baseline(), "test"));
    }

    /** Opens {@code hostId} from the Hosts part and attests it from the inspector. */
    private Composite inspect(String hostId) {
        Composite hosts = ConsoleUi.show(HostsPart.ID);
        Table table = find(hosts, Table.class, t -> true);
        waitFor(() -> table.getItemCount() == 5, "hosts listed");
        selectRow(table, 0, hostId);
        click(button(hosts, "Open in inspector"));
        Composite inspector = ConsoleUi.show(InspectorPart.ID);
        Combo host = find(inspector, Combo.class, c -> true);
        waitFor(() -> hostId.equals(host.getText()), "the inspector shows " + hostId);
        Agent before = ConsoleUi.agent(hostId);
        click(button(inspector, "Attest now"));
        waitFor(() -> {
            Agent a = ConsoleUi.agent(hostId);
            return !a.attesting() && a.attestation() != null && a.attestation() != before.attestation();
        }, "fresh evidence of " + hostId + " is checked");
        Table pcrs = pcrTable(inspector);
        waitFor(() -> pcrs.getItemCount() > 0, "the PCR table is filled");
        ConsoleUi.settle();
        return inspector;
    }

    private static Table pcrTable(Composite inspector) {
        return find(inspector, Table.class, t -> t.getColumnCount() > 0 && t.getColumn(0).getText().equals("Bank"));
    }

    private static TableItem pcrRow(Table pcrs, String bank, int pcr) {
        for (TableItem i : pcrs.getItems()) {
            if (i.getText(0).equals(bank) && i.getText(1).equals(String.valueOf(pcr))) {
                return i;
            }
        }
        throw new AssertionError("no row " + bank + " PCR " + pcr);
    }

    @Test
    void cleanHostReplaysEveryPcrAndIsTrusted() {
        Composite inspector = inspect("alpha");
        Table pcrs = pcrTable(inspector);
        assertEquals(12, pcrs.getItemCount(), "the baseline selects sha256 PCRs 0-10 and 14");
        for (TableItem row : pcrs.getItems()) {
            assertEquals("matches", row.getText(4), "PCR " + row.getText(1) + " replays: " + row.getText(5));
            assertTrue(!Styles.MISMATCH_BACKGROUND.getRGB().equals(row.getBackground(4).getRGB()),
                    "a matching PCR is not highlighted");
        }
        assertEquals("IMA log", pcrRow(pcrs, "sha256", 10).getText(3), "PCR 10 is replayed from the IMA log");
        assertEquals("boot event log", pcrRow(pcrs, "sha256", 7).getText(3));
        Label judgement = find(inspector, Label.class, l -> l.getText().startsWith("TRUSTED"));
        assertNotNull(judgement, "the inspector says the host is trusted");
        assertEquals(Styles.TRUSTED.getRGB(), judgement.getForeground().getRGB());
    }

    @Test
    void tamperedHostShowsEveryMismatchWithExpectedAndActual(@TempDir Path exportDir) throws Exception {
        Composite inspector = inspect("charlie");
        EvidenceReport report = ConsoleUi.agent("charlie").attestation();
        assertEquals(EvidenceReport.Judgement.UNTRUSTED, report.judgement());

        // PCR 7: the TPM holds a measurement the log does not show
        Table pcrs = pcrTable(inspector);
        TableItem pcr7 = pcrRow(pcrs, "sha256", 7);
        assertEquals("mismatch", pcr7.getText(4));
        assertEquals(Styles.MISMATCH_BACKGROUND.getRGB(), pcr7.getBackground(4).getRGB());
        byte[] replayed = EventLog.parse(TestData.bytes(FixtureHost.EVENT_LOG)).replay()
                .get(HashAlgorithm.SHA256, 7).orElseThrow();
        String problem = pcr7.getText(5);
        assertTrue(problem.contains("the boot event log replays to " + HexFormat.of().formatHex(replayed)),
                "expected value shown: " + problem);
        assertTrue(problem.contains("but the TPM quoted " + pcr7.getText(2)), "actual value shown: " + problem);
        assertEquals("matches", pcrRow(pcrs, "sha256", 0).getText(4), "other PCRs still replay");
        assertEquals(InspectorPart.PROBLEMS_TAB, find(inspector, org.eclipse.swt.custom.CTabFolder.class, f -> true)
                .getSelection().getText(), "an untrusted host opens on its problems");
        ConsoleUi.selectTab(ConsoleUi.tab(inspector, InspectorPart.EVENTS_TAB));

        // the boot log as a tree by PCR, the mismatched PCR highlighted and open
        Tree events = find(inspector, Tree.class, t -> true);
        List<String> groups = new ArrayList<>();
        for (TreeItem g : events.getItems()) {
            groups.add(g.getText(0));
        }
        assertTrue(groups.stream().anyMatch(g -> g.startsWith("PCR 7 (") && g.endsWith("MISMATCH")), groups.toString());
        assertTrue(groups.stream().anyMatch(g -> g.startsWith("PCR 0 (") && !g.endsWith("MISMATCH")), groups.toString());
        TreeItem pcr7Group = Arrays.stream(events.getItems()).filter(g -> g.getText(0).startsWith("PCR 7 ("))
                .findFirst().orElseThrow();
        assertTrue(pcr7Group.getExpanded(), "a mismatched PCR's events are shown");
        List<String> pcr7Data = Arrays.stream(pcr7Group.getItems()).map(i -> i.getText(1) + " | " + i.getText(3))
                .toList();
        assertTrue(pcr7Data.contains("EV_EFI_VARIABLE_DRIVER_CONFIG | EFI variable SecureBoot (EFI global variable, 1 bytes)"),
                "decoded EFI variables: " + pcr7Data);
        TreeItem pcr4Group = Arrays.stream(events.getItems()).filter(g -> g.getText(0).startsWith("PCR 4 ("))
                .findFirst().orElseThrow();
        events.notifyListeners(SWT.Expand, expandEvent(pcr4Group));
        pcr4Group.setExpanded(true);
        ConsoleUi.settle();
        List<String> pcr4Data = Arrays.stream(pcr4Group.getItems()).map(i -> i.getText(3)).toList();
        assertTrue(pcr4Data.stream().anyMatch(d -> d.startsWith("boot application ")), "decoded boot applications: "
                + pcr4Data);
        assertTrue(Arrays.stream(pcr4Group.getItems()).allMatch(i -> i.getText(2).contains("sha256:")),
                "every event shows its digests");
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "inspector-pcrs-and-event-log.png");

        // the IMA log, filtered to what the allowlist does not allow
        ConsoleUi.selectTab(ConsoleUi.tab(inspector, InspectorPart.IMA_TAB));
        Table ima = find(inspector, Table.class, t -> t.getColumnCount() == 6 && t.getColumn(5).getText().equals("Allowlist"));
        waitFor(() -> ima.getItemCount() == 827, "all 826 corpus entries and the unexpected one are listed: "
                + ima.getItemCount());
        Text filter = find(inspector, Text.class, t -> "part of a path or digest".equals(t.getMessage()));
        ConsoleUi.type(filter, "cryptominer");
        waitFor(() -> ima.getItemCount() == 1, "the filter leaves the unexpected entry");
        TableItem miner = ima.getItem(0);
        assertEquals(FixtureHost.UNEXPECTED_FILE, miner.getText(2));
        assertFalse(miner.getText(5).equals("allowed"), "the unexpected file is not allowed: " + miner.getText(5));
        assertTrue(miner.getText(5).toLowerCase().contains("allowlist"), miner.getText(5));
        assertEquals(Styles.MISMATCH_BACKGROUND.getRGB(), miner.getBackground(5).getRGB());
        ConsoleUi.type(filter, "/usr/bin/");
        waitFor(() -> ima.getItemCount() > 10, "a path filter shows the matching entries");
        assertTrue(Arrays.stream(ima.getItems()).allMatch(i -> i.getText(2).contains("/usr/bin/")
                && i.getText(5).equals("allowed")), "files of the clean log are on the allowlist");
        ConsoleUi.type(filter, "");
        click(find(inspector, org.eclipse.swt.widgets.Button.class, b -> b.getText().startsWith("Only entries")));
        waitFor(() -> ima.getItemCount() == 1, "only the entry with a problem is left");
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "inspector-ima-log.png");

        // every problem with expected vs actual
        ConsoleUi.selectTab(ConsoleUi.tab(inspector, InspectorPart.PROBLEMS_TAB));
        Table problems = find(inspector, Table.class, t -> t.getColumnCount() == 5
                && t.getColumn(2).getText().equals("Expected"));
        List<String> wheres = new ArrayList<>();
        for (TableItem i : problems.getItems()) {
            wheres.add(i.getText(0) + " " + i.getText(1));
        }
        assertTrue(wheres.stream().anyMatch(w -> w.startsWith("ERROR PCR reference value: PCR 7")), wheres.toString());
        assertTrue(wheres.stream().anyMatch(w -> w.startsWith("ERROR boot event log: PCR 7")), wheres.toString());
        assertTrue(wheres.stream().anyMatch(w -> w.startsWith("ERROR IMA file") && w.contains("cryptominer")),
                wheres.toString());
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "inspector-problems.png");

        // export for other tools
        ConsoleUi.DialogRun export = ConsoleUi.whenShellOpens("Export evidence", shell -> {
            ConsoleUi.type(find(shell, Text.class, t -> true), exportDir.toString());
            click(button(shell, "OK"));
        });
        click(button(inspector, "Export evidence..."));
        export.check();
        assertTrue(Files.size(exportDir.resolve("charlie-quote.msg")) > 100);
        assertTrue(Arrays.equals(TestData.bytes(FixtureHost.EVENT_LOG),
                Files.readAllBytes(exportDir.resolve("charlie-binary_bios_measurements"))), "the boot log as sent");
        String findings = Files.readString(exportDir.resolve("charlie-findings.txt"), StandardCharsets.UTF_8);
        assertTrue(findings.contains("MISMATCH sha256 PCR 7"), findings);
        assertTrue(Files.exists(exportDir.resolve("charlie-ek-chain-0.der")));
    }

    private static org.eclipse.swt.widgets.Event expandEvent(TreeItem item) {
        org.eclipse.swt.widgets.Event e = new org.eclipse.swt.widgets.Event();
        e.item = item;
        return e;
    }
}
