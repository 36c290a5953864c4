package org.vtpmmigrate.console.demo;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.services.IServiceConstants;
import org.eclipse.swt.widgets.Shell;
import org.vtpmmigrate.console.model.ConsoleModel;

import jakarta.inject.Named;

/** Hosts > Start local demo hosts: starts them and shows each step as it runs. */
public class StartLocalDemoHandler {
    @CanExecute
    public boolean canExecute(@Optional LocalDemoHosts demo) {
        return demo != null && demo.canStart();
    }

    @Execute
    public void execute(@Named(IServiceConstants.ACTIVE_SHELL) Shell shell, LocalDemoHosts demo, ConsoleModel model) {
        demo.start();
        LocalDemoDialog.show(shell, demo, model);
    }
}
