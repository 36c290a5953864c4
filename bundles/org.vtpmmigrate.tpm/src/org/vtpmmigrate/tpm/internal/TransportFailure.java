package org.vtpmmigrate.tpm.internal;

import org.vtpmmigrate.tpm.TpmException;

/**
 * A failure below TSS.Java (connection, timeout, malformed frame). Unchecked because it has to
 * cross TSS.Java's command dispatcher; {@link CommandExecutor} turns it into a {@link TpmException}.
 */
final class TransportFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final TpmException.Kind kind;

    TransportFailure(TpmException.Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    TpmException.Kind kind() {
        return kind;
    }
}
