package org.vtpmmigrate.console.dialogs;

import java.net.URI;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.prefs.BackingStoreException;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.parts.FailureDialog;
import org.vtpmmigrate.console.model.Failure;

/** Adds an agent by hand: its host id and management address, checked as they are typed. */
public final class AddHostDialog extends TitleAreaDialog {
    public static final String TITLE = "Add host";

    private final ConsoleModel model;
    private Text hostId;
    private Text address;

    public AddHostDialog(Shell parent, ConsoleModel model) {
        super(parent);
        this.model = model;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle("Add an engine agent");
        setMessage("The agent's host id (as in its certificate) and its management API address, host:port.");
        Composite form = new Composite(area, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(form);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(form);
        new Label(form, SWT.NONE).setText("Host id:");
        hostId = new Text(form, SWT.BORDER);
        GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(hostId);
        new Label(form, SWT.NONE).setText("Address:");
        address = new Text(form, SWT.BORDER);
        address.setMessage("host:port");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(address);
        hostId.addListener(SWT.Modify, e -> validate());
        address.addListener(SWT.Modify, e -> validate());
        return area;
    }

    @Override
    protected Control createContents(Composite parent) {
        Control c = super.createContents(parent);
        validate();
        return c;
    }

    private String problem() {
        try {
            ConsoleModel.validateHostId(hostId.getText().strip());
            ConsoleModel.parseAddress(address.getText());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private void validate() {
        String problem = problem();
        setErrorMessage(problem);
        Button ok = getButton(IDialogConstants.OK_ID);
        if (ok != null) {
            ok.setEnabled(problem == null);
        }
    }

    @Override
    protected void okPressed() {
        try {
            URI uri = ConsoleModel.parseAddress(address.getText());
            model.addHost(hostId.getText().strip(), uri);
            super.okPressed();
        } catch (BackingStoreException e) {
            new FailureDialog(getShell(), new Failure("The host was added but not saved",
                    "The console's preferences could not be written; the host is gone after a restart.",
                    String.valueOf(e))).open();
            super.okPressed();
        } catch (IllegalArgumentException e) {
            setErrorMessage(e.getMessage());
        }
    }
}
