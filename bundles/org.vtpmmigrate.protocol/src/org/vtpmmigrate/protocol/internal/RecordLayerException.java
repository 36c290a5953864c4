package org.vtpmmigrate.protocol.internal;

import org.vtpmmigrate.protocol.FailureReason;

/** A record that must not be accepted, with the reason the run fails for. */
final class RecordLayerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FailureReason reason;

    RecordLayerException(FailureReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    FailureReason reason() {
        return reason;
    }
}
