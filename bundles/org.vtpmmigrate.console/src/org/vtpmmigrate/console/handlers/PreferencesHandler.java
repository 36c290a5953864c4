package org.vtpmmigrate.console.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.services.IServiceConstants;
import org.eclipse.swt.widgets.Shell;
import org.vtpmmigrate.console.dialogs.ConsolePreferences;
import org.vtpmmigrate.console.model.ConsoleModel;

import jakarta.inject.Named;

/** Window > Preferences: trust, identity, hosts. */
public class PreferencesHandler {
    @Execute
    public void execute(@Named(IServiceConstants.ACTIVE_SHELL) Shell shell, ConsoleModel model) {
        ConsolePreferences.open(shell, model);
    }
}
