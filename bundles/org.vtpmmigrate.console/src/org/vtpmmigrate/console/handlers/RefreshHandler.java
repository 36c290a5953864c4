package org.vtpmmigrate.console.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.vtpmmigrate.console.model.ConsoleModel;

/** Hosts > Refresh: relist the agents and contact each again. */
public class RefreshHandler {
    @Execute
    public void execute(ConsoleModel model) {
        model.refreshAll();
    }
}
