package org.vtpmmigrate.console.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.FrameworkUtil;

import jakarta.inject.Named;

/** Help > About: the console's version and runtime, which support needs first. */
public class AboutHandler {
    @Execute
    public void execute(@Named("activeShell") Shell shell) {
        String version = FrameworkUtil.getBundle(getClass()).getVersion().toString();
        MessageDialog.openInformation(shell, "About vTPM Migrate",
                "vTPM Migrate console " + version + "\nJava " + Runtime.version());
    }
}
