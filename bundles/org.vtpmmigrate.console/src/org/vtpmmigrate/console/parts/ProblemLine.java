package org.vtpmmigrate.console.parts;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.vtpmmigrate.console.model.Failure;

/**
 * A line at the bottom of a part that says what failed and why, with the technical detail one
 * click away ("Details..."), or a plain note when nothing failed.
 */
public final class ProblemLine {
    /** Widget data key on the line's composite, for UI tests. */
    public static final String KEY = "org.vtpmmigrate.console.problemLine";

    private final Composite line;
    private final Label icon;
    private final Label text;
    private final Link details;
    private Failure failure;

    public ProblemLine(Composite parent) {
        line = new Composite(parent, SWT.NONE);
        line.setData(KEY, this);
        GridLayoutFactory.fillDefaults().numColumns(3).applyTo(line);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(line);
        icon = new Label(line, SWT.NONE);
        GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.BEGINNING).applyTo(icon);
        text = new Label(line, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(text);
        details = new Link(line, SWT.NONE);
        details.setText("<a>Details...</a>");
        details.addListener(SWT.Selection, e -> {
            if (failure != null) {
                new FailureDialog(line.getShell(), failure).open();
            }
        });
        GridDataFactory.swtDefaults().align(SWT.END, SWT.BEGINNING).applyTo(details);
        clear();
    }

    /** Shows a failure: the headline and reason, with "Details..." opening the technical detail. */
    public void show(Failure f) {
        failure = f;
        icon.setImage(org.eclipse.jface.dialogs.Dialog.getImage(org.eclipse.jface.dialogs.Dialog.DLG_IMG_MESSAGE_ERROR));
        text.setText(f.what() + ": " + f.why());
        setDetailsVisible(true);
        relayout();
    }

    /** Shows a note that is not a failure. */
    public void note(String message) {
        failure = null;
        icon.setImage(org.eclipse.jface.dialogs.Dialog.getImage(org.eclipse.jface.dialogs.Dialog.DLG_IMG_MESSAGE_INFO));
        text.setText(message);
        setDetailsVisible(false);
        relayout();
    }

    public void clear() {
        failure = null;
        icon.setImage(null);
        text.setText("");
        setDetailsVisible(false);
        relayout();
    }

    /** The failure shown, if any. */
    public java.util.Optional<Failure> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    public String text() {
        return text.getText();
    }

    /** The line's composite, for layout data. */
    public Composite control() {
        return line;
    }

    /** The "Details..." link, for UI tests. */
    public Link detailsLink() {
        return details;
    }

    private void setDetailsVisible(boolean visible) {
        details.setVisible(visible);
    }

    private void relayout() {
        line.getParent().layout(true, true);
    }
}
