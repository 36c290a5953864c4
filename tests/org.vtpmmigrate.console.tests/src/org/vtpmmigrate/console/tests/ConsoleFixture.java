package org.vtpmmigrate.console.tests;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.ILogListener;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the {@link FixtureNetwork} once for the whole test run (its swtpm processes take seconds to
 * manufacture) and stops it when the run ends: the network lives in the root context's store, which
 * closes it after the last test class. Fails a test when the workbench logged an error during it (an
 * exception in a listener or a part's creation is logged, not thrown to the test).
 */
public final class ConsoleFixture implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final List<IStatus> LOGGED_ERRORS = new CopyOnWriteArrayList<>();
    private static final ILogListener ERROR_COLLECTOR = (status, plugin) -> {
        if (status.matches(IStatus.ERROR)) {
            LOGGED_ERRORS.add(status);
        }
    };

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ConsoleFixture.class);

    private FixtureNetwork network;

    /** Closes the network when the root context closes. */
    private record Holder(FixtureNetwork network) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            network.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        network = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Holder.class, k -> new Holder(FixtureNetwork.start()), Holder.class).network();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Platform.removeLogListener(ERROR_COLLECTOR);
        Platform.addLogListener(ERROR_COLLECTOR);
        LOGGED_ERRORS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!LOGGED_ERRORS.isEmpty()) {
            IStatus first = LOGGED_ERRORS.get(0);
            AssertionError e = new AssertionError(LOGGED_ERRORS.size() + " errors logged by the workbench, the first: "
                    + first.getMessage() + (first.getException() == null ? "" : ": " + first.getException()));
            if (first.getException() != null) {
                e.initCause(first.getException());
            }
            LOGGED_ERRORS.clear();
            throw e;
        }
    }

    FixtureNetwork network() {
        if (network == null) {
            throw new IllegalStateException("the fixture starts before the test class; register it as a static field");
        }
        return network;
    }
}
