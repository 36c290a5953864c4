package org.vtpmmigrate.console.dialogs;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/**
 * Asks for a file or directory: a path field (typed or pasted) with "Browse..." for the desktop's
 * chooser, checked as it is typed (an existing file to read, a directory to write into).
 */
public final class PathDialog extends TitleAreaDialog {
    /** What the path is for, which decides the check. */
    public enum Kind {
        /** An existing file to read. */
        OPEN_FILE,
        /** A file to write; its directory must exist. */
        SAVE_FILE,
        /** An existing directory (or one to create in an existing parent). */
        DIRECTORY
    }

    private final String title;
    private final String message;
    private final Kind kind;
    private final String initial;
    private Text pathText;
    private Path chosen;

    public PathDialog(Shell parent, String title, String message, Kind kind, String initial) {
        super(parent);
        this.title = title;
        this.message = message;
        this.kind = kind;
        this.initial = initial == null ? "" : initial;
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
        Composite row = new Composite(area, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(3).applyTo(row);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(row);
        new Label(row, SWT.NONE).setText(kind == Kind.DIRECTORY ? "Directory:" : "File:");
        pathText = new Text(row, SWT.BORDER);
        pathText.setText(initial);
        GridDataFactory.fillDefaults().grab(true, false).hint(420, SWT.DEFAULT).applyTo(pathText);
        Button browse = new Button(row, SWT.PUSH);
        browse.setText("Browse...");
        browse.addListener(SWT.Selection, e -> browse());
        pathText.addListener(SWT.Modify, e -> validate());
        return area;
    }

    @Override
    protected Control createContents(Composite parent) {
        Control contents = super.createContents(parent);
        validate();
        return contents;
    }

    private void browse() {
        String picked;
        if (kind == Kind.DIRECTORY) {
            DirectoryDialog d = new DirectoryDialog(getShell());
            d.setFilterPath(pathText.getText());
            picked = d.open();
        } else {
            FileDialog d = new FileDialog(getShell(), kind == Kind.SAVE_FILE ? SWT.SAVE : SWT.OPEN);
            d.setFileName(pathText.getText());
            picked = d.open();
        }
        if (picked != null) {
            pathText.setText(picked);
        }
    }

    private void validate() {
        String problem = problem(pathText.getText());
        setErrorMessage(problem);
        Button ok = getButton(IDialogConstants.OK_ID);
        if (ok != null) {
            ok.setEnabled(problem == null);
        }
    }

    private String problem(String text) {
        if (text.isBlank()) {
            return "Enter a path.";
        }
        Path p;
        try {
            p = Path.of(text.strip()).toAbsolutePath();
        } catch (InvalidPathException e) {
            return "'" + text + "' is not a path: " + e.getReason();
        }
        return switch (kind) {
            case OPEN_FILE -> Files.isRegularFile(p) ? (Files.isReadable(p) ? null : p + " cannot be read.")
                    : p + " is not an existing file.";
            case SAVE_FILE -> p.getParent() != null && Files.isDirectory(p.getParent()) ? null
                    : "The directory " + p.getParent() + " does not exist.";
            case DIRECTORY -> Files.isDirectory(p) || (p.getParent() != null && Files.isDirectory(p.getParent())) ? null
                    : "Neither " + p + " nor its parent directory exists.";
        };
    }

    @Override
    protected void okPressed() {
        chosen = Path.of(pathText.getText().strip()).toAbsolutePath();
        super.okPressed();
    }

    /** The path chosen, once the dialog closed with OK. */
    public Optional<Path> chosen() {
        return Optional.ofNullable(chosen);
    }

    /** Opens the dialog and returns the path, or empty when cancelled. */
    public static Optional<Path> ask(Shell parent, String title, String message, Kind kind, String initial) {
        PathDialog d = new PathDialog(parent, title, message, kind, initial);
        return d.open() == OK ? d.chosen() : Optional.empty();
    }
}
