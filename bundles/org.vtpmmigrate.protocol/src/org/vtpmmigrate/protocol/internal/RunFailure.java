package org.vtpmmigrate.protocol.internal;

import org.vtpmmigrate.protocol.FailureReason;

/** Thrown inside a step to end the run; the state machine turns it into a failure and an Abort. */
final class RunFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final FailureReason reason;

    RunFailure(FailureReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }
}
