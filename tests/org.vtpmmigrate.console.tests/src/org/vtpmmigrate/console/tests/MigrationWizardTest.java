package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.rows;
import static org.vtpmmigrate.console.tests.ConsoleUi.selectRow;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.util.List;

import org.eclipse.jface.wizard.IWizardPage;
import org.eclipse.jface.wizard.WizardDialog;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.console.dialogs.MigrationWizard;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.management.VmSummary;

/**
 * The migration wizard from the Hosts part through all five pages against the fixture agents: a run
 * that commits, one the source refuses at attestation, and one the administrator stops following.
 */
class MigrationWizardTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private ConsoleModel model;
    private Composite hosts;

    @BeforeEach
    void configure() throws Exception {
        model = ConsoleUi.configure(FIXTURE.network());
        model.setActivePolicy(new ConsoleModel.ActivePolicy(FIXTURE.network().baseline(), "test"));
        hosts = ConsoleUi.show(HostsPart.ID);
        waitFor(() -> find(hosts, Table.class, t -> true).getItemCount() == 5, "hosts listed");
    }

    private static WizardDialog dialog(Shell shell) {
        return (WizardDialog) shell.getData();
    }

    private static IWizardPage page(Shell shell) {
        return dialog(shell).getCurrentPage();
    }

    private static Control pageControl(Shell shell) {
        return page(shell).getControl();
    }

    private static void next(Shell shell) {
        String before = page(shell).getName();
        click(button(shell, "Next >"));
        waitFor(() -> !page(shell).getName().equals(before), "the wizard leaves page " + before);
    }

    /** Opens the wizard from the Hosts part with {@code source} selected and runs {@code steps} in it. */
    private void wizard(String source, java.util.function.Consumer<Shell> steps) {
        selectRow(find(hosts, Table.class, t -> true), 0, source);
        ConsoleUi.DialogRun run = ConsoleUi.whenShellOpens(MigrationWizard.TITLE, steps);
        click(button(hosts, "Migrate a VM..."));
        run.check();
    }

    /** Page 1: chooses the VM. */
    private static void chooseVm(Shell shell, String source, String vm) {
        assertEquals("vm", page(shell).getName());
        Table vms = find(pageControl(shell), Table.class, t -> true);
        int row = -1;
        for (int i = 0; i < vms.getItemCount(); i++) {
            if (vms.getItem(i).getText(0).equals(source) && vms.getItem(i).getText(1).equals(vm)) {
                row = i;
            }
        }
        assertTrue(row >= 0, source + "/" + vm + " listed: " + rows(vms, 1));
        ConsoleUi.select(vms, row);
        assertTrue(page(shell).isPageComplete());
    }

    /** Page 2: waits for the predicted verdicts and chooses the destination. */
    private static Table predictions(Shell shell) {
        assertEquals("destination", page(shell).getName());
        Combo policy = find(pageControl(shell), Combo.class, c -> true);
        waitFor(() -> policy.getText().equals(FixtureNetwork.BASELINE), "the baseline policy is chosen");
        Table table = find(pageControl(shell), Table.class, t -> true);
        waitFor(() -> table.getItemCount() == 4 && rows(table, 2).stream().noneMatch("checking..."::equals),
                "every other host's evidence is checked: " + rows(table, 2));
        return table;
    }

    private static String cell(Table table, String host, int column) {
        return table.getItem(rows(table, 0).indexOf(host)).getText(column);
    }

    @Test
    void migratesAVmToATrustedHostWithLiveProgressAndItsAuditRecords() {
        wizard("alpha", shell -> {
            chooseVm(shell, "alpha", "vm-web");
            ConsoleUi.screenshot(shell, "wizard-1-vm.png");
            next(shell);

            Table table = predictions(shell);
            assertEquals("TRUSTED", cell(table, "bravo", 2));
            assertEquals("UNTRUSTED", cell(table, "charlie", 2));
            assertTrue(cell(table, "charlie", 3).contains("PCR 7"), cell(table, "charlie", 3));
            assertEquals("unreachable", cell(table, "delta", 1), "an unreachable host is not judged");
            assertEquals("unknown", cell(table, "delta", 2));
            assertEquals("identity refused", cell(table, "echo", 1));
            selectRow(table, 0, "charlie");
            assertTrue(page(shell).getMessage().contains("predicted UNTRUSTED"), page(shell).getMessage());
            selectRow(table, 0, "bravo");
            assertTrue(page(shell).isPageComplete());
            ConsoleUi.screenshot(shell, "wizard-2-destination.png");
            next(shell);

            Text review = find(pageControl(shell), Text.class, t -> true);
            waitFor(() -> review.getText().contains("SOURCE alpha\n  TRUSTED") && review.getText().contains("kernel"),
                    "the evidence of source, destination and VM is shown: " + review.getText());
            assertTrue(review.getText().contains("DESTINATION bravo\n  TRUSTED"), review.getText());
            assertTrue(review.getText().contains("VM vm-web"), review.getText());
            assertTrue(page(shell).getMessage().startsWith("Both hosts are trusted"), page(shell).getMessage());
            ConsoleUi.screenshot(shell, "wizard-3-review.png");
            next(shell);

            Label phase = find(pageControl(shell), Label.class, l -> l.getText().startsWith("Phase: ")
                    || l.getText().startsWith("Asking") || l.getText().startsWith("Started"));
            Label figures = find(pageControl(shell), Label.class, l -> l.getText().isEmpty()
                    || l.getText().contains("pre-copy rounds"));
            waitFor(() -> phase.getText().startsWith("Phase: TRANSFER") && figures.getText().contains("pre-copy rounds")
                    && !figures.getText().contains(" 0 pre-copy rounds"), "the run is in its pre-copy rounds: "
                            + phase.getText() + ", " + figures.getText());
            assertTrue(figures.getText().matches("\\d+\\.\\d MiB of 2560\\.0 MiB transferred, [1-3] pre-copy rounds, .*"),
                    figures.getText());
            ConsoleUi.screenshot(shell, "wizard-4-progress.png");
            assertFalse(button(shell, "< Back").isEnabled(), "a started run cannot go back");
            waitFor(() -> page(shell).isPageComplete(), "the run ends");
            Table verdicts = find(pageControl(shell), Table.class, t -> true);
            assertEquals(List.of("ACCEPTED", "ACCEPTED", "ACCEPTED"), rows(verdicts, 1));
            assertTrue(figures.getText().contains("3 pre-copy rounds"), figures.getText());
            next(shell);

            Label outcome = find(pageControl(shell), Label.class, l -> l.getText().startsWith("COMMITTED"));
            assertEquals("COMMITTED: vm-web runs on bravo", outcome.getText());
            Table records = find(pageControl(shell), Table.class, t -> true);
            waitFor(() -> records.getItemCount() >= 8 && rows(records, 1).containsAll(List.of("alpha", "bravo")),
                    "the run's audit records of both hosts are listed: " + rows(records, 2));
            assertTrue(rows(records, 4).stream().allMatch("intact"::equals), rows(records, 4).toString());
            assertTrue(rows(records, 5).stream().allMatch("valid"::equals), rows(records, 5).toString());
            ConsoleUi.screenshot(shell, "wizard-5-result.png");
            click(button(shell, "Finish"));
        });
        List<VmSummary> bravo = FIXTURE.network().agent("bravo").orElseThrow().vms().vms();
        assertTrue(bravo.stream().anyMatch(v -> v.id().equals("vm-web")), "the VM moved to bravo: " + bravo);
    }

    @Test
    void aDestinationPredictedUntrustedIsRefusedByTheSource() {
        wizard("bravo", shell -> {
            chooseVm(shell, "bravo", "vm-batch");
            next(shell);
            selectRow(predictions(shell), 0, "charlie");
            next(shell);
            Text review = find(pageControl(shell), Text.class, t -> true);
            waitFor(() -> page(shell).isPageComplete(), "the evidence is reviewed");
            assertTrue(review.getText().contains("DESTINATION charlie\n  UNTRUSTED"), review.getText());
            assertTrue(page(shell).getMessage().contains("refused at attestation"), page(shell).getMessage());
            next(shell);
            waitFor(() -> page(shell).isPageComplete(), "the run ends");
            Table verdicts = find(pageControl(shell), Table.class, t -> true);
            assertEquals("REJECTED", verdicts.getItem(rows(verdicts, 0).indexOf("DESTINATION")).getText(1));
            assertTrue(verdicts.getItem(rows(verdicts, 0).indexOf("DESTINATION")).getText(2).contains("PCR"),
                    "the first reason is shown");
            next(shell);
            Label outcome = find(pageControl(shell), Label.class, l -> l.getText().startsWith("FAILED"));
            assertEquals("FAILED (POLICY_REJECTED): vm-batch still runs on bravo", outcome.getText());
            Table records = find(pageControl(shell), Table.class, t -> true);
            waitFor(() -> rows(records, 2).contains("MIGRATION_ABORTED") && rows(records, 2).contains("SOURCE_VM_RESUMED"),
                    "the abort and the resumed source VM are in the audit records: " + rows(records, 2));
            ConsoleUi.screenshot(shell, "wizard-5-refused.png");
            click(button(shell, "Finish"));
        });
        assertTrue(FIXTURE.network().agent("bravo").orElseThrow().vms().vms().stream()
                .anyMatch(v -> v.id().equals("vm-batch") && v.state().equals("RUNNING")), "the VM stays where it was");
    }

    @Test
    void stoppingToFollowARunSaysTheRunGoesOnOnTheAgent() {
        String[] id = new String[1];
        wizard("charlie", shell -> {
            chooseVm(shell, "charlie", "vm-legacy");
            next(shell);
            selectRow(predictions(shell), 0, "alpha");
            next(shell);
            waitFor(() -> page(shell).isPageComplete(), "the evidence is reviewed");
            next(shell);
            org.eclipse.swt.widgets.Button stop = button(shell, "Stop following");
            waitFor(stop::isEnabled, "the run started");
            click(stop);
            assertTrue(page(shell).getMessage().startsWith("No longer following"), page(shell).getMessage());
            assertTrue(page(shell).getMessage().contains("goes on on charlie"), page(shell).getMessage());
            id[0] = currentRun();
            click(button(shell, "Cancel"));
        });
        assertTrue(id[0].startsWith("mig-"), "the run was started: " + id[0]);
        assertFalse(model.migrations().run(id[0]).orElseThrow().followed());
    }

    /** The id of the run the console follows for vm-legacy (the only one the wizard started for it). */
    private String currentRun() {
        return FIXTURE.network().agent("charlie").orElseThrow().migrations().migrations().stream()
                .filter(m -> m.vmId().equals("vm-legacy")).findFirst().orElseThrow().migrationId();
    }
}
