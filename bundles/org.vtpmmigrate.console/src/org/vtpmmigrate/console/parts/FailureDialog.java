package org.vtpmmigrate.console.parts;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.console.model.Failure;

/** The technical detail of a failure, below its headline and reason, selectable for copying into a ticket. */
public final class FailureDialog extends Dialog {
    /** Title of the dialog's shell. */
    public static final String TITLE = "Problem details";

    private final Failure failure;

    public FailureDialog(Shell parent, Failure failure) {
        super(parent);
        this.failure = failure;
        setShellStyle(getShellStyle() | SWT.RESIZE);
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        Label what = new Label(area, SWT.WRAP);
        what.setText(failure.what());
        what.setFont(org.eclipse.jface.resource.JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().grab(true, false).hint(600, SWT.DEFAULT).applyTo(what);
        Label why = new Label(area, SWT.WRAP);
        why.setText(failure.why());
        GridDataFactory.fillDefaults().grab(true, false).hint(600, SWT.DEFAULT).applyTo(why);
        Text detail = new Text(area, SWT.BORDER | SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL);
        detail.setText(failure.detail());
        detail.setFont(Styles.monospace());
        GridDataFactory.fillDefaults().grab(true, true).hint(600, 240).applyTo(detail);
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, IDialogConstants.OK_ID, IDialogConstants.CLOSE_LABEL, true);
    }
}
