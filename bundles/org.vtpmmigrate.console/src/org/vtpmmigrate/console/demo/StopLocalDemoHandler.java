package org.vtpmmigrate.console.demo;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;

/** Hosts > Stop local demo hosts: stops their VMs, TPMs and agents and takes them off the list. */
public class StopLocalDemoHandler {
    @CanExecute
    public boolean canExecute(@Optional LocalDemoHosts demo) {
        return demo != null && demo.canStop();
    }

    @Execute
    public void execute(LocalDemoHosts demo) {
        demo.stop();
    }
}
