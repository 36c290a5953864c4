package org.vtpmmigrate.console.dialogs;

import java.util.Optional;

import org.eclipse.jface.wizard.Wizard;
import org.eclipse.jface.wizard.WizardDialog;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.console.model.AgentPolicies;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.MigrationWatch;
import org.vtpmmigrate.management.VmSummary;

/**
 * Moves a VM: pick the VM, pick a destination (each host shown with the verdict it is predicted to
 * get under the chosen policy), review the evidence of source, destination and VM, run it with live
 * progress, and see the result with its audit records. The console only asks the source agent to
 * run the protocol and follows what it reports.
 */
public final class MigrationWizard extends Wizard {
    /** Title of the wizard's shell. */
    public static final String TITLE = "Migrate a VM";

    final ConsoleModel model;
    final AgentPolicies policies;
    /** The display the wizard runs on: jobs hand their results over to it. */
    private final Display display;
    /** What the administrator chose so far; pages fill it in order. */
    final Choice choice = new Choice();

    /** The choices of the earlier pages. */
    static final class Choice {
        String sourceHostId;
        VmSummary vm;
        AgentPolicies.StoredPolicy policy;
        String destinationHostId;
        EvidenceReport sourceEvidence;
        EvidenceReport destinationEvidence;
        String migrationId;

        Optional<Policy> parsedPolicy() {
            return policy == null ? Optional.empty() : policy.policy();
        }
    }

    private final VmPage vmPage;
    private final DestinationPage destinationPage;
    private final ReviewPage reviewPage;
    private final RunPage runPage;
    private final ResultPage resultPage;

    public MigrationWizard(ConsoleModel model, String preselectedSource) {
        this.model = model;
        this.policies = new AgentPolicies(model);
        this.display = Display.getCurrent() != null ? Display.getCurrent() : Display.getDefault();
        setWindowTitle(TITLE);
        setNeedsProgressMonitor(false);
        vmPage = new VmPage(this, preselectedSource);
        destinationPage = new DestinationPage(this);
        reviewPage = new ReviewPage(this);
        runPage = new RunPage(this);
        resultPage = new ResultPage(this);
    }

    /** Opens the wizard in a dialog. */
    public static int open(Shell shell, ConsoleModel model, String preselectedSource) {
        WizardDialog dialog = new WizardDialog(shell, new MigrationWizard(model, preselectedSource));
        dialog.setPageSize(820, 440);
        return dialog.open();
    }

    /** Runs {@code work} on the display thread later; from jobs, never waiting for it (no syncExec). */
    void later(Runnable work) {
        if (!display.isDisposed()) {
            display.asyncExec(work);
        }
    }

    @Override
    public void addPages() {
        addPage(vmPage);
        addPage(destinationPage);
        addPage(reviewPage);
        addPage(runPage);
        addPage(resultPage);
    }

    @Override
    public boolean canFinish() {
        return getContainer().getCurrentPage() == resultPage;
    }

    @Override
    public boolean performFinish() {
        return true;
    }

    @Override
    public boolean performCancel() {
        if (choice.migrationId != null) {
            boolean followed = model.migrations().run(choice.migrationId).map(MigrationWatch.Run::followed)
                    .orElse(false);
            if (followed && runPage.runInProgress()) {
                // closing the wizard on a run it follows ends the run: nobody would see it through otherwise
                model.migrations().cancel(choice.migrationId, failure -> System.getLogger(MigrationWizard.class
                        .getName()).log(System.Logger.Level.WARNING, failure.oneLine()));
            }
            model.migrations().stopFollowing(choice.migrationId);
        }
        return true;
    }
}
