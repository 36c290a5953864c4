package org.vtpmmigrate.console.dialogs;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.management.VmSummary;

/** Step 1: the VM to move, among the VMs of every reachable host. */
final class VmPage extends WizardPage {
    static final String TITLE = "Choose the VM";

    private final MigrationWizard wizard;
    private final String preselectedSource;
    private final List<Row> rows = new ArrayList<>();
    private Table table;

    record Row(String hostId, VmSummary vm) {
    }

    VmPage(MigrationWizard wizard, String preselectedSource) {
        super("vm");
        this.wizard = wizard;
        this.preselectedSource = preselectedSource;
        setTitle(TITLE);
        setDescription("The VMs of the hosts that answer. The VM keeps running on its host until the destination"
                + " has committed.");
        setPageComplete(false);
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().applyTo(c);
        table = new Table(c, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Host", "120"}, {"VM", "140"}, {"Name", "220"}, {"State", "120"}}) {
            TableColumn column = new TableColumn(table, SWT.LEFT);
            column.setText(col[0]);
            column.setWidth(Integer.parseInt(col[1]));
        }
        GridDataFactory.fillDefaults().grab(true, true).applyTo(table);
        int select = -1;
        for (Agent a : wizard.model.agents().all()) {
            if (a.reachability() != Reachability.REACHABLE || a.vms() == null) {
                continue;
            }
            for (VmSummary vm : a.vms()) {
                if (select < 0 && a.hostId().equals(preselectedSource) && "RUNNING".equals(vm.state())) {
                    select = rows.size();
                }
                rows.add(new Row(a.hostId(), vm));
                new TableItem(table, SWT.NONE).setText(new String[] {a.hostId(), vm.id(),
                        vm.name() == null ? "" : vm.name(), vm.state()});
            }
        }
        table.addListener(SWT.Selection, e -> chosen());
        if (rows.isEmpty()) {
            setErrorMessage("No reachable host lists a VM. Check the Hosts part: hosts must answer before their VMs"
                    + " can be moved.");
        } else if (select >= 0) {
            table.select(select);
            chosen();
        }
        setControl(c);
    }

    private void chosen() {
        int i = table.getSelectionIndex();
        if (i < 0) {
            setPageComplete(false);
            return;
        }
        Row row = rows.get(i);
        boolean running = "RUNNING".equals(row.vm().state());
        setErrorMessage(running ? null : "VM " + row.vm().id() + " is " + row.vm().state()
                + "; only a running VM can be migrated live.");
        wizard.choice.sourceHostId = row.hostId();
        wizard.choice.vm = row.vm();
        setPageComplete(running);
    }
}
