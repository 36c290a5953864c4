package org.vtpmmigrate.console.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.services.IServiceConstants;
import org.eclipse.swt.widgets.Shell;
import org.vtpmmigrate.console.dialogs.MigrationWizard;
import org.vtpmmigrate.console.model.ConsoleModel;

import jakarta.inject.Named;

/** Hosts > Migrate a VM: the migration wizard, starting from the host shown in the inspector. */
public class MigrateHandler {
    @Execute
    public void execute(@Named(IServiceConstants.ACTIVE_SHELL) Shell shell, ConsoleModel model) {
        MigrationWizard.open(shell, model, model.selectedHost().orElse(null));
    }
}
