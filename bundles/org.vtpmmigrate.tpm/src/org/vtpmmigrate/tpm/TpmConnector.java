package org.vtpmmigrate.tpm;

import org.vtpmmigrate.tpm.internal.DefaultTpmConnector;

/**
 * Opens connections to one configured TPM. Thread-safe; each connection is used by one caller at
 * a time.
 */
public interface TpmConnector {

    /** The TPM this connector reaches. */
    TpmEndpoint endpoint();

    /**
     * Opens a connection. swtpm serves one client at a time, so on an swtpm endpoint this process
     * holds at most one connection: {@code connect()} waits up to the connect timeout for the
     * previous one to be closed. A character device (with the kernel resource manager) allows many.
     *
     * @throws TpmException of kind {@link TpmException.Kind#TRANSPORT} if the TPM cannot be reached
     */
    TpmConnection connect() throws TpmException;

    /** A connector for an endpoint with {@link TpmTransportOptions#DEFAULTS}. */
    static TpmConnector of(TpmEndpoint endpoint) {
        return of(endpoint, TpmTransportOptions.DEFAULTS);
    }

    /** A connector for an endpoint with explicit transport bounds. */
    static TpmConnector of(TpmEndpoint endpoint, TpmTransportOptions options) {
        return new DefaultTpmConnector(endpoint, options);
    }
}
