package org.vtpmmigrate.console.demo;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.vtpmmigrate.console.dialogs.MigrationWizard;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.parts.ProblemLine;
import org.vtpmmigrate.console.parts.Styles;

/**
 * The steps of starting the local demo hosts as they run, what failed and why if one does, and the
 * way on once they run: migrating the demo VM. Not modal: the console stays usable meanwhile.
 */
public final class LocalDemoDialog extends Dialog {
    public static final String TITLE = "Local demo hosts";
    public static final String MIGRATE_LABEL = "Migrate " + LocalDemoHosts.VM_NAME + "...";
    public static final String STOP_LABEL = "Stop the hosts";
    static final int MIGRATE_ID = IDialogConstants.CLIENT_ID + 1;
    static final int STOP_ID = IDialogConstants.CLIENT_ID + 2;

    private static LocalDemoDialog open;

    private final LocalDemoHosts demo;
    private final ConsoleModel model;
    private final Display display;
    private Table steps;
    private Label summary;
    private ProblemLine problem;
    private final LocalDemoHosts.Listener listener;

    private LocalDemoDialog(Shell parent, LocalDemoHosts demo, ConsoleModel model) {
        super(parent);
        this.demo = demo;
        this.model = model;
        this.display = parent.getDisplay();
        setShellStyle(SWT.DIALOG_TRIM | SWT.RESIZE | SWT.MODELESS);
        setBlockOnOpen(false);
        listener = progress -> display.asyncExec(this::update);
    }

    /** Shows the dialog, or brings the one already open to the front. */
    public static void show(Shell parent, LocalDemoHosts demo, ConsoleModel model) {
        if (open != null && open.getShell() != null && !open.getShell().isDisposed()) {
            open.getShell().setActive();
            return;
        }
        open = new LocalDemoDialog(parent, demo, model);
        open.open();
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        Label note = new Label(area, SWT.WRAP);
        note.setText("Two hosts start inside this console, each with a simulated TPM (swtpm), the migration engine"
                + " and its attestation log. They enrol each other, get a policy made from " + LocalDemoHosts.SOURCE
                + "'s evidence, and " + LocalDemoHosts.SOURCE + " starts a small VM (QEMU) you can then migrate.");
        GridDataFactory.fillDefaults().grab(true, false).hint(560, SWT.DEFAULT).applyTo(note);
        steps = new Table(area, SWT.BORDER | SWT.FULL_SELECTION);
        steps.setHeaderVisible(true);
        steps.setLinesVisible(true);
        for (String[] col : new String[][] {{"Step", "440"}, {"State", "100"}}) {
            TableColumn c = new TableColumn(steps, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        for (LocalDemoHosts.Step s : LocalDemoHosts.Step.values()) {
            new TableItem(steps, SWT.NONE).setText(new String[] {s.title(), ""});
        }
        GridDataFactory.fillDefaults().grab(true, true).applyTo(steps);
        summary = new Label(area, SWT.WRAP);
        summary.setFont(org.eclipse.jface.resource.JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().grab(true, false).hint(560, SWT.DEFAULT).applyTo(summary);
        problem = new ProblemLine(area);
        demo.addListener(listener);
        area.addListener(SWT.Dispose, e -> demo.removeListener(listener));
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, MIGRATE_ID, MIGRATE_LABEL, true);
        createButton(parent, STOP_ID, STOP_LABEL, false);
        createButton(parent, IDialogConstants.OK_ID, IDialogConstants.CLOSE_LABEL, false);
        update();
    }

    @Override
    protected void buttonPressed(int id) {
        if (id == MIGRATE_ID) {
            Shell parent = getParentShell();
            close();
            MigrationWizard.open(parent, model, LocalDemoHosts.SOURCE);
        } else if (id == STOP_ID) {
            demo.stop();
        } else {
            super.buttonPressed(id);
        }
    }

    /** The step table, for UI tests. */
    public Table steps() {
        return steps;
    }

    private void update() {
        if (steps == null || steps.isDisposed()) {
            return;
        }
        LocalDemoHosts.Progress p = demo.progress();
        LocalDemoHosts.Step[] all = LocalDemoHosts.Step.values();
        for (int i = 0; i < all.length; i++) {
            LocalDemoHosts.StepState s = p.of(all[i]);
            TableItem item = steps.getItem(i);
            item.setText(1, switch (s) {
                case WAITING -> "";
                case RUNNING -> "running...";
                case DONE -> "done";
                case FAILED -> "FAILED";
            });
            item.setForeground(1, s == LocalDemoHosts.StepState.FAILED ? Styles.UNTRUSTED
                    : s == LocalDemoHosts.StepState.DONE ? Styles.TRUSTED : Styles.NOT_JUDGED);
        }
        summary.setText(switch (p.state()) {
            case STARTING -> "Starting... (the first start takes a minute: TPMs are manufactured, QEMU boots)";
            case RUNNING -> "Both hosts run and are listed in the Hosts part. Next: migrate " + LocalDemoHosts.VM_NAME
                    + " from " + LocalDemoHosts.SOURCE + " to " + LocalDemoHosts.DESTINATION + ".";
            case FAILED -> "The local demo hosts did not start.";
            case STOPPING -> "Stopping...";
            case STOPPED -> "Not running.";
        });
        if (p.failure() != null) {
            problem.show(p.failure());
        } else {
            problem.clear();
        }
        Button migrate = getButton(MIGRATE_ID);
        if (migrate != null) {
            migrate.setEnabled(p.state() == LocalDemoHosts.State.RUNNING);
        }
        Button stop = getButton(STOP_ID);
        if (stop != null) {
            stop.setEnabled(p.state() == LocalDemoHosts.State.RUNNING || p.state() == LocalDemoHosts.State.FAILED);
        }
        steps.getParent().layout(true, true);
    }
}
