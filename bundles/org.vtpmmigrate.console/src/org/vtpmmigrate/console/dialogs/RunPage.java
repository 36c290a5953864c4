package org.vtpmmigrate.console.dialogs;

import java.time.Duration;

import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.wizard.IWizardPage;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.MigrationWatch;
import org.vtpmmigrate.console.model.ModelEvents;
import org.vtpmmigrate.console.parts.Styles;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PartyVerdict;
import org.vtpmmigrate.management.StartMigrationRequest;

/**
 * Step 4: the migration running on the source agent, followed live: phase, bytes, pre-copy rounds,
 * time, and separately the verdict on each party. "Stop following" leaves the run to the agent.
 */
final class RunPage extends WizardPage {
    static final String TITLE = "Migrating";
    static final String STOP_LABEL = "Stop following";
    static final String CANCEL_LABEL = "Cancel migration";

    private final MigrationWizard wizard;
    private Label phase;
    private ProgressBar progress;
    private Label figures;
    private Table verdicts;
    private Button stop;
    private Button cancel;
    private boolean started;
    private final ModelEvents.Listener listener;

    RunPage(MigrationWizard wizard) {
        super("run");
        this.wizard = wizard;
        setTitle(TITLE);
        setDescription("The source agent runs the migration protocol; the console shows what it reports.");
        setPageComplete(false);
        listener = (topic, subject) -> {
            if (topic == ModelEvents.Topic.MIGRATION && subject != null && subject.equals(wizard.choice.migrationId)) {
                wizard.later(this::show);
            }
        };
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(c);
        phase = new Label(c, SWT.WRAP);
        phase.setFont(org.eclipse.jface.resource.JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(phase);
        progress = new ProgressBar(c, SWT.HORIZONTAL | SWT.SMOOTH);
        progress.setMaximum(1000);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(progress);
        figures = new Label(c, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(figures);
        verdicts = new Table(c, SWT.BORDER | SWT.FULL_SELECTION);
        verdicts.setHeaderVisible(true);
        verdicts.setLinesVisible(true);
        for (String[] col : new String[][] {{"Verified party", "130"}, {"Verdict", "100"}, {"Reason", "520"}}) {
            TableColumn column = new TableColumn(verdicts, SWT.LEFT);
            column.setText(col[0]);
            column.setWidth(Integer.parseInt(col[1]));
        }
        GridDataFactory.fillDefaults().grab(true, true).span(2, 1).applyTo(verdicts);
        Composite buttons = new Composite(c, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(buttons);
        cancel = new Button(buttons, SWT.PUSH);
        cancel.setText(CANCEL_LABEL);
        cancel.setEnabled(false);
        cancel.addListener(SWT.Selection, e -> cancelRun());
        stop = new Button(buttons, SWT.PUSH);
        stop.setText(STOP_LABEL);
        stop.setEnabled(false);
        stop.addListener(SWT.Selection, e -> stopFollowing());
        Label note = new Label(c, SWT.WRAP);
        note.setText("Cancel migration asks the source agent to end the run before it commits: the VM keeps running"
                + " on the source. Stop following only stops following it here; the run goes on.");
        GridDataFactory.fillDefaults().grab(true, false).hint(400, SWT.DEFAULT).applyTo(note);
        wizard.model.events().add(listener);
        c.addListener(SWT.Dispose, e -> wizard.model.events().remove(listener));
        setControl(c);
    }

    @Override
    public IWizardPage getPreviousPage() {
        // once started, the choices that led here cannot be changed
        return started ? null : super.getPreviousPage();
    }

    @Override
    public void setVisible(boolean visible) {
        super.setVisible(visible);
        if (visible && !started) {
            start();
        }
    }

    private void start() {
        started = true;
        MigrationWizard.Choice ch = wizard.choice;
        phase.setText("Asking " + ch.sourceHostId + " to start...");
        StartMigrationRequest request = new StartMigrationRequest(ch.vm.id(), ch.destinationHostId, null,
                ch.policy.document().id(), ch.policy.document().digest());
        wizard.model.migrations().start(ch.sourceHostId, request,
                id -> wizard.later(() -> {
                    ch.migrationId = id;
                    if (!stop.isDisposed()) {
                        stop.setEnabled(true);
                        cancel.setEnabled(true);
                        show();
                    }
                }),
                failure -> wizard.later(() -> refused(failure)));
    }

    private void refused(Failure failure) {
        if (phase.isDisposed()) {
            return;
        }
        phase.setText("Not started");
        phase.setForeground(Styles.UNTRUSTED);
        figures.setText(failure.why());
        setMessage(failure.what(), IMessageProvider.ERROR);
        setPageComplete(false);
    }

    private void cancelRun() {
        String id = wizard.choice.migrationId;
        if (id == null) {
            return;
        }
        cancel.setEnabled(false);
        setMessage("Asking " + wizard.choice.sourceHostId + " to cancel " + id + "...", IMessageProvider.INFORMATION);
        wizard.model.migrations().cancel(id, failure -> wizard.later(() -> {
            if (!phase.isDisposed()) {
                setMessage(failure.oneLine(), IMessageProvider.ERROR);
                cancel.setEnabled(!wizard.model.migrations().run(id).map(MigrationWatch.Run::finished).orElse(true));
            }
        }));
    }

    /** Whether a run was started here and has not ended (what closing the wizard would leave running). */
    boolean runInProgress() {
        return wizard.choice.migrationId != null && !wizard.model.migrations().run(wizard.choice.migrationId)
                .map(MigrationWatch.Run::finished).orElse(true);
    }

    private void stopFollowing() {
        if (wizard.choice.migrationId != null) {
            wizard.model.migrations().stopFollowing(wizard.choice.migrationId);
            stop.setEnabled(false);
            cancel.setEnabled(false);
            setMessage("No longer following " + wizard.choice.migrationId + "; it goes on on " + wizard.choice.sourceHostId
                    + ". Its outcome will be in the attestation log.", IMessageProvider.WARNING);
        }
    }

    private void show() {
        if (phase.isDisposed() || wizard.choice.migrationId == null) {
            return;
        }
        MigrationWatch.Run run = wizard.model.migrations().run(wizard.choice.migrationId).orElse(null);
        if (run == null) {
            return;
        }
        MigrationStatus s = run.status();
        if (s == null) {
            phase.setText("Started as " + run.migrationId() + "; waiting for its first status...");
        } else {
            phase.setText("Phase: " + s.phase() + (s.state() == null ? "" : " (" + s.state() + ")"));
            if (s.bytesTotal() > 0) {
                progress.setState(SWT.NORMAL);
                progress.setSelection((int) Math.min(1000, s.bytesTransferred() * 1000 / s.bytesTotal()));
            }
            figures.setText(String.format("%s of %s transferred, %d pre-copy rounds, %s elapsed", bytes(
                    s.bytesTransferred()), s.bytesTotal() < 0 ? "unknown" : bytes(s.bytesTotal()), s.precopyRounds(),
                    Duration.ofMillis(s.elapsedMs()).toString().substring(2).toLowerCase()));
            verdicts.removeAll();
            for (PartyVerdict v : s.verdicts()) {
                TableItem item = new TableItem(verdicts, SWT.NONE);
                item.setText(new String[] {v.party(), v.status(), v.reasons().isEmpty() ? ""
                        : v.reasons().get(0).check() + ": " + v.reasons().get(0).detail()});
                item.setForeground(1, "ACCEPTED".equals(v.status()) ? Styles.TRUSTED
                        : "REJECTED".equals(v.status()) ? Styles.UNTRUSTED : Styles.NOT_JUDGED);
            }
            if (s.finished()) {
                progress.setSelection(s.result().outcome().equals("COMMITTED") ? 1000 : progress.getSelection());
                stop.setEnabled(false);
                cancel.setEnabled(false);
                setMessage("The run ended: " + s.result().outcome() + ". Next shows the result.",
                        "COMMITTED".equals(s.result().outcome()) ? IMessageProvider.INFORMATION : IMessageProvider.ERROR);
                setPageComplete(true);
            }
        }
        if (run.problem() != null) {
            setMessage(run.problem().oneLine(), IMessageProvider.WARNING);
        }
        phase.getParent().layout(true, true);
    }

    static String bytes(long n) {
        return n < 1024 * 1024 ? n + " bytes" : String.format("%.1f MiB", n / (1024.0 * 1024));
    }
}
