package org.vtpmmigrate.console.dialogs;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;

/** Picks some of the listed hosts (check boxes). */
public final class ChooseHostsDialog extends TitleAreaDialog {
    private final String title;
    private final String message;
    private final List<String> hosts;
    private final List<String> chosen = new ArrayList<>();
    private Table table;

    public ChooseHostsDialog(Shell parent, String title, String message, List<String> hosts) {
        super(parent);
        this.title = title;
        this.message = message;
        this.hosts = List.copyOf(hosts);
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(title);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle(title);
        setMessage(message);
        table = new Table(area, SWT.BORDER | SWT.CHECK | SWT.V_SCROLL);
        for (String h : hosts) {
            new TableItem(table, SWT.NONE).setText(h);
        }
        table.addListener(SWT.Selection, e -> validate());
        GridDataFactory.fillDefaults().grab(true, true).hint(360, 180).applyTo(table);
        return area;
    }

    @Override
    protected Control createContents(Composite parent) {
        Control c = super.createContents(parent);
        validate();
        return c;
    }

    private void validate() {
        boolean any = false;
        for (TableItem item : table.getItems()) {
            any |= item.getChecked();
        }
        setErrorMessage(any ? null : "Check at least one host.");
        Button ok = getButton(IDialogConstants.OK_ID);
        if (ok != null) {
            ok.setEnabled(any);
        }
    }

    @Override
    protected void okPressed() {
        chosen.clear();
        for (TableItem item : table.getItems()) {
            if (item.getChecked()) {
                chosen.add(item.getText());
            }
        }
        super.okPressed();
    }

    public List<String> chosen() {
        return List.copyOf(chosen);
    }
}
