package org.vtpmmigrate.console.parts;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Listener;
import org.eclipse.swt.widgets.Table;

/**
 * Building blocks the console's parts share, so every part looks and is found the same way.
 * UI tests locate a part's root by {@link #PART_KEY}.
 */
public final class PartControls {
    /** Widget data key holding the part's element id on its root composite. */
    public static final String PART_KEY = "org.vtpmmigrate.console.part";

    private PartControls() {
    }

    /** The part's root: a one-column grid tagged with the part id. */
    public static Composite root(Composite parent, String partId) {
        Composite root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(1, false));
        root.setData(PART_KEY, partId);
        return root;
    }

    /** A wrapping line of guidance at the top of a part: what the part is for, or why it is empty. */
    public static Label banner(Composite parent, String text) {
        Label label = new Label(parent, SWT.WRAP);
        label.setText(text);
        GridDataFactory.fillDefaults().grab(true, false).hint(400, SWT.DEFAULT).applyTo(label);
        return label;
    }

    /** A full-width table with headed columns of the given widths. */
    public static TableViewer table(Composite parent, String[] headers, int[] widths) {
        TableViewer viewer = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        Table table = viewer.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (int i = 0; i < headers.length; i++) {
            TableViewerColumn column = new TableViewerColumn(viewer, SWT.LEFT);
            column.getColumn().setText(headers[i]);
            column.getColumn().setWidth(widths[i]);
        }
        viewer.setInput(new Object[0]);
        fill(table);
        return viewer;
    }

    /** A push button that runs {@code action} when selected. */
    public static Button button(Composite parent, String text, Listener action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.addListener(SWT.Selection, action);
        return b;
    }

    public static void fill(Control control) {
        GridDataFactory.fillDefaults().grab(true, true).applyTo(control);
    }
}
