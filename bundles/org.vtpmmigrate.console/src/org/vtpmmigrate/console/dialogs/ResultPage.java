package org.vtpmmigrate.console.dialogs;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.wizard.IWizardPage;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.vtpmmigrate.console.model.AuditEntry;
import org.vtpmmigrate.console.model.MigrationWatch;
import org.vtpmmigrate.console.model.ModelEvents;
import org.vtpmmigrate.console.parts.Styles;
import org.vtpmmigrate.management.MigrationResult;
import org.vtpmmigrate.management.MigrationStatus;
import org.vtpmmigrate.management.PartyVerdict;

/** Step 5: how the run ended, the verdicts with their reasons, and the audit records both hosts wrote about it. */
final class ResultPage extends WizardPage {
    static final String TITLE = "Result";

    private final MigrationWizard wizard;
    private Label outcome;
    private Label message;
    private Table records;
    private final ModelEvents.Listener listener;
    private boolean loaded;

    ResultPage(MigrationWizard wizard) {
        super("result");
        this.wizard = wizard;
        setTitle(TITLE);
        setDescription("The outcome as the source agent reports it, and the signed audit records of the run.");
        listener = (topic, subject) -> {
            if (topic == ModelEvents.Topic.AUDIT) {
                wizard.later(this::showRecords);
            }
        };
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().applyTo(c);
        outcome = new Label(c, SWT.WRAP);
        outcome.setFont(org.eclipse.jface.resource.JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().grab(true, false).applyTo(outcome);
        message = new Label(c, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).hint(700, SWT.DEFAULT).applyTo(message);
        records = new Table(c, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL);
        records.setHeaderVisible(true);
        records.setLinesVisible(true);
        for (String[] col : new String[][] {{"Time", "170"}, {"Host", "90"}, {"Event", "170"}, {"Verdict", "80"},
                {"Chain", "90"}, {"Signature", "90"}}) {
            TableColumn column = new TableColumn(records, SWT.LEFT);
            column.setText(col[0]);
            column.setWidth(Integer.parseInt(col[1]));
        }
        GridDataFactory.fillDefaults().grab(true, true).applyTo(records);
        wizard.model.events().add(listener);
        c.addListener(SWT.Dispose, e -> wizard.model.events().remove(listener));
        setControl(c);
    }

    @Override
    public IWizardPage getPreviousPage() {
        return null;
    }

    @Override
    public void setVisible(boolean visible) {
        super.setVisible(visible);
        if (!visible) {
            return;
        }
        MigrationStatus s = wizard.model.migrations().run(wizard.choice.migrationId).map(MigrationWatch.Run::status)
                .orElse(null);
        if (s == null || s.result() == null) {
            outcome.setText("No result yet");
            message.setText("The console stopped following the run before it ended.");
        } else {
            MigrationResult r = s.result();
            boolean committed = MigrationResult.Outcome.COMMITTED.name().equals(r.outcome());
            outcome.setText(committed ? "COMMITTED: " + s.vmId() + " runs on " + s.destinationHostId()
                    : "FAILED" + (r.failureCode() == null ? "" : " (" + r.failureCode() + ")") + ": " + s.vmId()
                            + " still runs on " + s.sourceHostId());
            outcome.setForeground(committed ? Styles.TRUSTED : Styles.UNTRUSTED);
            StringBuilder text = new StringBuilder(r.message());
            text.append("\nFinished ").append(r.finishedAt()).append(r.downtimeMs() >= 0 ? ", VM paused "
                    + r.downtimeMs() + " ms" : ", the VM was never paused").append('.');
            for (PartyVerdict v : s.verdicts()) {
                text.append("\n").append(v.party()).append(": ").append(v.status());
                v.reasons().forEach(reason -> text.append("; ").append(reason.check()).append(" - ")
                        .append(reason.detail()));
            }
            message.setText(text.toString());
        }
        if (!loaded) {
            loaded = true;
            wizard.model.audit().load();
        }
        showRecords();
        outcome.getParent().layout(true, true);
    }

    private void showRecords() {
        if (records.isDisposed() || wizard.choice.migrationId == null) {
            return;
        }
        records.removeAll();
        for (AuditEntry e : wizard.model.audit().ofMigration(wizard.choice.migrationId)) {
            TableItem item = new TableItem(records, SWT.NONE);
            item.setText(new String[] {org.vtpmmigrate.console.parts.AuditLogPart.formatTime(e.time()), e.hostId(),
                    e.kind(), e.verdict().map(Enum::name).orElse(""), e.chainStatus(), e.signatureStatus()});
            if (!e.result().ok()) {
                item.setBackground(Styles.MISMATCH_BACKGROUND);
            }
        }
        setMessage(wizard.model.audit().isLoading() ? "Reading the attestation logs..."
                : records.getItemCount() + " audit records of " + wizard.choice.migrationId + ".");
    }
}
