package org.vtpmmigrate.console.model;

import java.time.Clock;

import org.eclipse.e4.core.contexts.IEclipseContext;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

/**
 * Application model addon: creates the {@link ConsoleModel} once per workbench, puts it into the
 * application context (parts and handlers get it injected), contacts the agents, and stops the
 * model's jobs when the workbench closes.
 */
public class ConsoleModelAddon {
    private ConsoleModel model;

    @PostConstruct
    public void start(IEclipseContext applicationContext) {
        model = new ConsoleModel(new SettingsStore(), Clock.systemUTC());
        applicationContext.set(ConsoleModel.class, model);
        model.refreshAll();
        model.scheduleAutoRefresh();
    }

    @PreDestroy
    public void stop() {
        if (model != null) {
            model.dispose();
        }
    }
}
