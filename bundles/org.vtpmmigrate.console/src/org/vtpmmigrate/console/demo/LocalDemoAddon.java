package org.vtpmmigrate.console.demo;

import org.eclipse.e4.core.contexts.IEclipseContext;
import org.vtpmmigrate.console.model.ConsoleModel;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

/**
 * Application model addon (after the console model's): puts the {@link LocalDemoHosts} into the
 * application context for the handlers and stops the hosts when the workbench closes.
 */
public class LocalDemoAddon {
    private LocalDemoHosts demo;

    @PostConstruct
    public void start(IEclipseContext applicationContext) {
        ConsoleModel model = applicationContext.get(ConsoleModel.class);
        if (model == null) {
            throw new IllegalStateException("the console model addon must come before the local demo hosts addon");
        }
        demo = new LocalDemoHosts(model);
        applicationContext.set(LocalDemoHosts.class, demo);
    }

    @PreDestroy
    public void stop() {
        if (demo != null) {
            demo.close();
        }
    }
}
