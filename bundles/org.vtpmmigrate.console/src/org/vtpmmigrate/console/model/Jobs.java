package org.vtpmmigrate.console.model;

import java.util.function.BooleanSupplier;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

/** The console's background work: a Job of a family, whose failure ends it with a status naming it. */
public final class Jobs {
    private static final System.Logger LOG = System.getLogger(Jobs.class.getName());

    /** The work of a job; exceptions end the job with an error status naming it. */
    @FunctionalInterface
    public interface Work {
        void run(IProgressMonitor monitor) throws Exception;
    }

    private Jobs() {
    }

    /**
     * A job of {@code family} running {@code work}, unless {@code skip} says the owner is gone by the
     * time it starts. Not scheduled yet.
     */
    public static Job of(String name, Object family, BooleanSupplier skip, Work work) {
        Job job = new Job(name) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                if (skip.getAsBoolean() || monitor.isCanceled()) {
                    return Status.CANCEL_STATUS;
                }
                try {
                    work.run(monitor);
                    return Status.OK_STATUS;
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.ERROR, name + " failed", e);
                    return Status.error(name + " failed: " + e.getMessage(), e);
                }
            }

            @Override
            public boolean belongsTo(Object candidate) {
                return candidate == family;
            }
        };
        job.setSystem(false);
        return job;
    }
}
