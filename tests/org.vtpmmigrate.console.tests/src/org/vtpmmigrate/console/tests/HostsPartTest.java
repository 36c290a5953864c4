package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.rows;
import static org.vtpmmigrate.console.tests.ConsoleUi.selectRow;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.nio.file.Files;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.console.dialogs.AddHostDialog;
import org.vtpmmigrate.console.dialogs.EnrolmentDialog;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AgentSource;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.console.parts.FailureDialog;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.console.parts.ProblemLine;
import org.vtpmmigrate.console.parts.Styles;

/** The Hosts part against the fixture hosts: listing, connection apart from verdict, attesting, adding, enrolment. */
class HostsPartTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private ConsoleModel model;
    private Composite part;
    private Table table;

    @BeforeEach
    void configure() throws Exception {
        model = ConsoleUi.configure(FIXTURE.network());
        part = ConsoleUi.show(HostsPart.ID);
        table = find(part, Table.class, t -> true);
        waitFor(() -> table.getItemCount() == 5, "the table lists the five hosts");
    }

    private int column(String title) {
        return HostsPart.COLUMNS.indexOf(title);
    }

    private String cell(String hostId, String column) {
        int row = rows(table, 0).indexOf(hostId);
        assertTrue(row >= 0, hostId + " listed, rows " + rows(table, 0));
        return table.getItem(row).getText(column(column));
    }

    private ProblemLine problemLine() {
        Composite line = find(part, Composite.class, c -> c.getData(ProblemLine.KEY) != null);
        return (ProblemLine) line.getData(ProblemLine.KEY);
    }

    private void attest(String hostId) {
        Agent before = ConsoleUi.agent(hostId);
        selectRow(table, 0, hostId);
        click(button(part, "Attest now"));
        waitFor(() -> {
            Agent a = ConsoleUi.agent(hostId);
            return !a.attesting() && a.attestation() != null && a.attestation() != before.attestation();
        }, "fresh evidence of " + hostId + " is checked: " + ConsoleUi.agent(hostId).attestationProblem());
        waitFor(() -> !cell(hostId, "Last verdict").startsWith("checking"), "the table shows the verdict of " + hostId);
    }

    @Test
    void listsInventoryHostsAndKeepsUnreachableApartFromUntrusted() throws Exception {
        assertEquals(List.of("alpha", "bravo", "charlie", "delta", "echo"), rows(table, 0));
        assertEquals("inventory", cell("alpha", "Found by"));
        assertEquals("reachable", cell("alpha", "Connection"));
        assertEquals("reachable", cell("charlie", "Connection"));
        assertEquals("unreachable", cell("delta", "Connection"));
        assertEquals("identity refused", cell("echo", "Connection"));
        int alphaVms = FIXTURE.network().agent("alpha").orElseThrow().vms().vms().size();
        assertTrue(alphaVms >= 3, "alpha holds vm-web, vm-db and the VM the seed run refused to move");
        assertEquals(String.valueOf(alphaVms), cell("alpha", "VMs"));
        assertTrue(cell("alpha", "TPM").startsWith("swtpm:127.0.0.1:"), cell("alpha", "TPM"));
        assertTrue(cell("alpha", "Enrolment").startsWith("enrolled"), cell("alpha", "Enrolment"));

        // judged under the baseline made from alpha: a clean host is trusted, the tampered one is not
        model.setActivePolicy(new ConsoleModel.ActivePolicy(FIXTURE.network().baseline(), "test"));
        attest("alpha");
        attest("charlie");
        assertEquals("TRUSTED under lab-baseline", cell("alpha", "Last verdict"));
        String charlie = cell("charlie", "Last verdict");
        assertTrue(charlie.startsWith("UNTRUSTED under lab-baseline: "), charlie);
        assertTrue(charlie.contains("PCR 7"), "first reason names the PCR at fault: " + charlie);
        int charlieRow = rows(table, 0).indexOf("charlie");
        assertEquals(Styles.UNTRUSTED.getRGB(), table.getItem(charlieRow).getForeground(column("Last verdict")).getRGB());
        assertEquals(Styles.TRUSTED.getRGB(), table.getItem(rows(table, 0).indexOf("alpha"))
                .getForeground(column("Last verdict")).getRGB());

        // unreachable and refused hosts are never shown as untrusted
        assertEquals("not checked yet", cell("delta", "Last verdict"));
        selectRow(table, 0, "delta");
        click(button(part, "Attest now"));
        waitFor(() -> !ConsoleUi.agent("delta").attesting(), "the attempt on delta ends");
        waitFor(() -> cell("delta", "Last verdict").startsWith("not checked: "), "delta's verdict says why");
        assertEquals("unreachable", cell("delta", "Connection"));
        assertFalse(cell("delta", "Last verdict").contains("UNTRUSTED"));
        ConsoleUi.settle();
        assertTrue(problemLine().text().contains("Nothing answered at 127.0.0.1:" + FIXTURE.network().port("delta")),
                problemLine().text());

        ConsoleUi.DialogRun details = ConsoleUi.whenShellOpens(FailureDialog.TITLE, shell -> {
            Text detail = find(shell, Text.class, t -> (t.getStyle() & SWT.MULTI) != 0);
            assertNotNull(detail, "the dialog shows the technical detail");
            assertTrue(detail.getText().contains("unreachable"), detail.getText());
            ConsoleUi.screenshot(shell, "hosts-failure-details.png");
            shell.close();
        });
        Link link = problemLine().detailsLink();
        assertTrue(link.isVisible(), "a failure offers its details");
        link.notifyListeners(SWT.Selection, new Event());
        details.check();

        selectRow(table, 0, "echo");
        ConsoleUi.settle();
        assertTrue(problemLine().text().contains("secure connection"), problemLine().text());
        assertEquals(Styles.IDENTITY_REFUSED.getRGB(), table.getItem(rows(table, 0).indexOf("echo"))
                .getForeground(column("Connection")).getRGB());

        selectRow(table, 0, "charlie");
        Shell window = ConsoleUi.mainWindow();
        assertTrue(Files.size(ConsoleUi.screenshot(window, "hosts.png")) > 20_000);
    }

    @Test
    void addsAHostByHandAndSaysWhenItAnswersUnderAnotherName() throws Exception {
        int bravoPort = FIXTURE.network().port("bravo");
        ConsoleUi.DialogRun run = ConsoleUi.whenShellOpens(AddHostDialog.TITLE, shell -> {
            List<Text> fields = ConsoleUi.findAll(shell, Text.class, t -> (t.getStyle() & SWT.READ_ONLY) == 0);
            Text hostId = fields.get(0);
            Text address = fields.get(1);
            ConsoleUi.type(hostId, "-bad");
            ConsoleUi.type(address, "127.0.0.1:" + bravoPort);
            assertFalse(button(shell, "OK").isEnabled(), "an invalid host id cannot be added");
            ConsoleUi.type(hostId, "bravo-2");
            ConsoleUi.type(address, "127.0.0.1");
            assertFalse(button(shell, "OK").isEnabled(), "an address without port cannot be added");
            ConsoleUi.type(address, "127.0.0.1:" + bravoPort);
            assertTrue(button(shell, "OK").isEnabled());
            ConsoleUi.screenshot(shell, "hosts-add-host.png");
            click(button(shell, "OK"));
        });
        click(button(part, "Add host..."));
        run.check();
        waitFor(() -> rows(table, 0).contains("bravo-2"), "the added host is listed");
        waitFor(() -> ConsoleUi.agent("bravo-2").reachability() == Reachability.REACHABLE, "bravo-2 answers");
        waitFor(() -> cell("bravo-2", "Connection").contains("answers as bravo"), "the table says bravo-2 answers as "
                + "bravo: " + cell("bravo-2", "Connection"));
        assertEquals(List.of(AgentSource.ADDED), List.copyOf(ConsoleUi.agent("bravo-2").sources()));
        assertEquals("added by hand", cell("bravo-2", "Found by"));
        assertTrue(model.settings().addedHosts().stream().anyMatch(h -> h.hostId().equals("bravo-2")),
                "the added host is kept in the settings");
    }

    @Test
    void enrolmentShowsWhatTheAgentReportsAndWhatTheConsoleChecked() throws Exception {
        selectRow(table, 0, "bravo");
        ConsoleUi.DialogRun run = ConsoleUi.whenShellOpens(EnrolmentDialog.TITLE_PREFIX + "bravo", shell -> {
            Text text = find(shell, Text.class, t -> (t.getStyle() & SWT.MULTI) != 0);
            waitFor(() -> text.getText().contains("EK chain:"), "the dialog shows the console's check");
            String shown = text.getText();
            assertTrue(shown.contains("state:           ENROLLED"), shown);
            assertTrue(shown.contains("EK chain:        trusted"), shown);
            assertTrue(shown.contains("the quoting AK is the enrolled AK"), shown);
            ConsoleUi.screenshot(shell, "hosts-enrolment.png");
            click(button(shell, "Close"));
        });
        click(button(part, "Enrolment..."));
        run.check();
        EvidenceReport report = ConsoleUi.agent("bravo").attestation();
        assertNotNull(report, "the dialog asked for fresh evidence");
    }
}
