package org.vtpmmigrate.console.parts;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;

import jakarta.annotation.PostConstruct;

/** PCR values per bank with their replay status, and the measurements behind them. */
public class InspectorPart {
    public static final String ID = "org.vtpmmigrate.console.part.inspector";

    @PostConstruct
    public void createControls(Composite parent) {
        Composite root = PartControls.root(parent, ID);
        PartControls.banner(root, "Select a host to see its PCRs, each replayed against the host's event log.");
        SashForm sash = new SashForm(root, SWT.VERTICAL);
        PartControls.fill(sash);
        PartControls.table(sash, new String[] {"Bank", "PCR", "Value", "Replay"}, new int[] {70, 50, 420, 120});
        Tree events = new Tree(sash, SWT.BORDER | SWT.FULL_SELECTION);
        events.setHeaderVisible(true);
        String[] headers = {"PCR / event", "Type", "Digest", "Data"};
        int[] widths = {160, 200, 300, 300};
        for (int i = 0; i < headers.length; i++) {
            TreeColumn column = new TreeColumn(events, SWT.LEFT);
            column.setText(headers[i]);
            column.setWidth(widths[i]);
        }
        sash.setWeights(1, 1);
    }
}
