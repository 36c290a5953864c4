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

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.jface.wizard.IWizardPage;
import org.eclipse.jface.wizard.WizardDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.console.demo.LocalDemoDialog;
import org.vtpmmigrate.console.demo.LocalDemoHosts;
import org.vtpmmigrate.console.dialogs.MigrationWizard;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AgentSource;
import org.vtpmmigrate.console.model.AuditEntry;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.ConsoleSettings;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.parts.AuditLogPart;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.management.VmSummary;

/**
 * A first run as a new administrator has it: no host known, "Start local demo hosts" in the Hosts
 * part, two real engine hosts (swtpm platform TPMs, QEMU VM, attestation logs, management API over
 * mutual TLS) started inside the console, and the demo VM migrated with the wizard from the first to
 * the second, its signed audit records of both hosts shown in the attestation log.
 */
class LocalDemoHostsTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    /** Starting manufactures two TPMs and boots a VM; a migration moves it: minutes on a loaded machine. */
    private static final long SLOW_MS = 300_000;
    private static final String A = LocalDemoHosts.SOURCE;
    private static final String B = LocalDemoHosts.DESTINATION;
    private static final String VM = LocalDemoHosts.VM_NAME;

    private ConsoleModel model;
    private LocalDemoHosts demo;
    private Optional<ConsoleModel.ActivePolicy> policyBefore;

    @BeforeEach
    void firstRun() throws Exception {
        model = ConsoleUi.model();
        demo = ConsoleUi.mpart(ConsoleUi.part(HostsPart.ID)).getContext().get(LocalDemoHosts.class);
        policyBefore = model.activePolicy();
        model.setActivePolicy(null);
        model.applySettings(ConsoleSettings.empty().withHosts(Optional.empty(), false).withRefreshSeconds(0),
                new char[0]);
        waitFor(() -> model.agents().all().isEmpty(), "no host is listed, as on a first run");
    }

    @AfterEach
    void stopDemoHosts() {
        if (demo.canStop()) {
            demo.stop();
        }
        waitFor(() -> demo.canStart() && model.agents().all().isEmpty(), "the local demo hosts are stopped", SLOW_MS);
        model.setActivePolicy(policyBefore.orElse(null));
    }

    private static Optional<EvidenceReport.Judgement> verdict(Agent a) {
        return a.lastAttestation().map(EvidenceReport::judgement);
    }

    private boolean trusted(String hostId) {
        return model.agents().get(hostId).flatMap(LocalDemoHostsTest::verdict)
                .filter(EvidenceReport.Judgement.TRUSTED::equals).isPresent();
    }

    private static IWizardPage page(Shell shell) {
        return ((WizardDialog) shell.getData()).getCurrentPage();
    }

    private static Control pageControl(Shell shell) {
        return page(shell).getControl();
    }

    private static void next(Shell shell) {
        String before = page(shell).getName();
        click(button(shell, "Next >"));
        waitFor(() -> !page(shell).getName().equals(before), "the wizard leaves page " + before);
    }

    @Test
    void aFirstRunStartsTwoLocalHostsAndMigratesTheDemoVmWithTheWizard() {
        Composite hosts = ConsoleUi.show(HostsPart.ID);
        Link offer = find(hosts, Link.class, l -> l.getText().startsWith(HostsPart.START_DEMO_LINK));
        waitFor(offer::isVisible, "the Hosts part offers local demo hosts while no host is known");
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "demo-1-first-run.png");

        offer.notifyListeners(SWT.Selection, new Event());
        Shell progress = ConsoleUi.shell(LocalDemoDialog.TITLE);
        waitFor(() -> demo.progress().state() != LocalDemoHosts.State.STARTING, "the local demo hosts start: "
                + demo.progress().steps(), SLOW_MS);
        assertEquals(LocalDemoHosts.State.RUNNING, demo.progress().state(), () -> demo.progress().failure()
                .oneLine() + "\n" + demo.progress().failure().detail());
        assertFalse(offer.isVisible(), "the offer goes once hosts are listed");
        waitFor(() -> trusted(A) && trusted(B), "both hosts are judged TRUSTED under " + LocalDemoHosts.POLICY_ID
                + ": " + model.agents().all().stream().map(a -> a.hostId() + "=" + verdict(a) + " "
                        + a.lastAttestation().map(EvidenceReport::firstReason).orElse("") + (a.attestationProblem()
                                == null ? "" : " " + a.attestationProblem().oneLine())).toList(), SLOW_MS);
        Table table = find(hosts, Table.class, t -> t.getColumnCount() == HostsPart.COLUMNS.size());
        int verdictColumn = HostsPart.COLUMNS.indexOf("Last verdict");
        waitFor(() -> rows(table, 0).equals(List.of(A, B)) && rows(table, verdictColumn).stream().allMatch(
                v -> v.equals("TRUSTED under " + LocalDemoHosts.POLICY_ID)), "the Hosts part shows both hosts trusted: "
                        + rows(table, verdictColumn));
        assertEquals(List.of("1", "1"), rows(table, HostsPart.COLUMNS.indexOf("Peers")), "each enrolled the other");
        assertEquals(List.of(AgentSource.LOCAL.label(), AgentSource.LOCAL.label()),
                rows(table, HostsPart.COLUMNS.indexOf("Found by")));
        assertTrue(model.agents().get(A).orElseThrow().vms().stream().anyMatch(
                v -> v.id().equals(VM) && v.state().equals("RUNNING")), "the demo VM runs on " + A);
        Table steps = ((LocalDemoDialog) progress.getData()).steps();
        waitFor(() -> rows(steps, 1).stream().allMatch("done"::equals), "the dialog shows every step done: "
                + rows(steps, 1));
        ConsoleUi.screenshot(progress, "demo-2-started.png");
        // the dialog is not modal: moved to the bottom corner, the Hosts part shows in full
        org.eclipse.swt.graphics.Rectangle main = ConsoleUi.mainWindow().getBounds();
        progress.setLocation(main.x + main.width - progress.getSize().x, main.y + main.height - progress.getSize().y);
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "demo-3-hosts-trusted.png");

        ConsoleUi.DialogRun run = ConsoleUi.whenShellOpens(MigrationWizard.TITLE, this::migrate);
        click(button(progress, LocalDemoDialog.MIGRATE_LABEL));
        run.check();

        model.refresh(A);
        model.refresh(B);
        waitFor(() -> vmState(B).equals(Optional.of("RUNNING")) && vmState(A).filter("RUNNING"::equals).isEmpty(),
                "the console lists " + VM + " running on " + B + " and no longer on " + A + ": " + A + "=" + vmState(A)
                        + ", " + B + "=" + vmState(B), SLOW_MS);

        Composite audit = ConsoleUi.show(AuditLogPart.ID);
        Text vmFilter = find(audit, Text.class, t -> "part of a VM id".equals(t.getMessage()));
        vmFilter.setText(VM);
        click(button(audit, "Load logs"));
        waitFor(() -> !model.audit().isLoading() && model.audit().hostLogs().keySet().containsAll(List.of(A, B))
                && migrationHosts().equals(Set.of(A, B)), "the logs of both hosts are read, with records of the run",
                SLOW_MS);
        String migrationId = model.audit().entries().stream().filter(e -> e.vmId().filter(VM::equals).isPresent())
                .flatMap(e -> e.migrationId().stream()).findFirst().orElseThrow();
        Table records = find(audit, Table.class, t -> t.getColumnCount() == AuditLogPart.COLUMNS.size());
        waitFor(() -> rows(records, 4).contains(migrationId), "the table lists the run's records");
        Set<String> hostsShown = new HashSet<>();
        for (int i = 0; i < records.getItemCount(); i++) {
            if (records.getItem(i).getText(4).equals(migrationId)) {
                hostsShown.add(records.getItem(i).getText(1));
                assertEquals("intact", records.getItem(i).getText(6), "chain of record " + i);
                assertEquals("valid", records.getItem(i).getText(7), "signature of record " + i);
            }
        }
        assertEquals(Set.of(A, B), hostsShown, "records of the run from both hosts");
        assertTrue(model.audit().ofMigration(migrationId).stream().map(AuditEntry::kind).toList()
                .contains("ATTESTATION_VERDICT"), "the verdicts are recorded");
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "demo-7-attestation-log.png");
        vmFilter.setText("");

        ConsoleUi.menu("Hosts", "Stop local demo hosts");
        waitFor(() -> model.agents().all().isEmpty() && demo.canStart(), "the demo hosts stop and leave the list",
                SLOW_MS);
    }

    private Set<String> migrationHosts() {
        return model.audit().entries().stream().filter(e -> e.vmId().filter(VM::equals).isPresent()
                && e.migrationId().isPresent()).map(AuditEntry::hostId).collect(Collectors.toSet());
    }

    private Optional<String> vmState(String hostId) {
        return model.agents().get(hostId).flatMap(a -> Optional.ofNullable(a.vms())).flatMap(vms -> vms.stream()
                .filter(v -> v.id().equals(VM)).map(VmSummary::state).findFirst());
    }

    /** The wizard, page by page, as a first-time user goes through it. */
    private void migrate(Shell shell) {
        assertEquals("vm", page(shell).getName());
        Table vms = find(pageControl(shell), Table.class, t -> true);
        waitFor(() -> vms.getSelectionIndex() >= 0, "the demo VM is preselected");
        assertEquals(A, vms.getItem(vms.getSelectionIndex()).getText(0));
        assertEquals(VM, vms.getItem(vms.getSelectionIndex()).getText(1));
        assertTrue(page(shell).isPageComplete());
        ConsoleUi.screenshot(shell, "demo-wizard-1-vm.png");
        next(shell);

        Combo policy = find(pageControl(shell), Combo.class, c -> true);
        waitFor(() -> policy.getText().equals(LocalDemoHosts.POLICY_ID), "policy " + LocalDemoHosts.POLICY_ID
                + " is read from " + A + " and chosen");
        Table destinations = find(pageControl(shell), Table.class, t -> true);
        waitFor(() -> rows(destinations, 0).equals(List.of(B)) && !rows(destinations, 2).contains("checking..."),
                "the evidence of " + B + " is checked: " + rows(destinations, 2), SLOW_MS);
        assertEquals("TRUSTED", destinations.getItem(0).getText(2), destinations.getItem(0).getText(3));
        selectRow(destinations, 0, B);
        assertTrue(page(shell).isPageComplete());
        ConsoleUi.screenshot(shell, "demo-wizard-2-destination.png");
        next(shell);

        Text review = find(pageControl(shell), Text.class, t -> true);
        waitFor(() -> page(shell).isPageComplete(), "the evidence of source, destination and VM is reviewed: "
                + review.getText(), SLOW_MS);
        assertTrue(review.getText().contains("SOURCE " + A + "\n  TRUSTED"), review.getText());
        assertTrue(review.getText().contains("DESTINATION " + B + "\n  TRUSTED"), review.getText());
        assertTrue(review.getText().contains("allowed by the policy"), review.getText());
        ConsoleUi.screenshot(shell, "demo-wizard-3-review.png");
        next(shell);

        Label phase = find(pageControl(shell), Label.class, l -> l.getText().startsWith("Asking")
                || l.getText().startsWith("Started") || l.getText().startsWith("Phase: "));
        waitFor(() -> phase.getText().startsWith("Phase: "), "the first status of the run arrives: " + phase.getText(),
                SLOW_MS);
        ConsoleUi.screenshot(shell, "demo-wizard-4-running.png");
        waitFor(() -> page(shell).isPageComplete(), "the run ends: " + phase.getText(), SLOW_MS);
        Table verdicts = find(pageControl(shell), Table.class, t -> true);
        assertFalse(rows(verdicts, 1).isEmpty(), "the verdicts are shown");
        assertTrue(rows(verdicts, 1).stream().allMatch("ACCEPTED"::equals), rows(verdicts, 2).toString());
        assertFalse(button(shell, "Cancel migration").isEnabled(), "an ended run cannot be cancelled");
        ConsoleUi.screenshot(shell, "demo-wizard-5-ended.png");
        next(shell);

        Label outcome = find(pageControl(shell), Label.class, l -> l.getText().startsWith("COMMITTED")
                || l.getText().startsWith("FAILED") || l.getText().startsWith("No result"));
        assertEquals("COMMITTED: " + VM + " runs on " + B, outcome.getText());
        Table records = find(pageControl(shell), Table.class, t -> true);
        waitFor(() -> !model.audit().isLoading() && rows(records, 1).containsAll(List.of(A, B)),
                "the run's audit records of both hosts are listed: " + rows(records, 1), SLOW_MS);
        assertTrue(rows(records, 4).stream().allMatch("intact"::equals), rows(records, 4).toString());
        assertTrue(rows(records, 5).stream().allMatch("valid"::equals), rows(records, 5).toString());
        ConsoleUi.screenshot(shell, "demo-wizard-6-result.png");
        click(button(shell, "Finish"));
    }

}
