package org.vtpmmigrate.hypervisor;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the processes a test started once it has ended, passed or failed, newest first: a VM
 * before the vTPM it uses. Every resource is closed even if closing another one fails; the first
 * failure is thrown with the others suppressed.
 *
 * <pre>{@code
 * @RegisterExtension
 * final StartedResources started = new StartedResources();
 * }</pre>
 */
final class StartedResources implements AfterEachCallback {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Closes {@code resource} after the test; returns it. */
    <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
