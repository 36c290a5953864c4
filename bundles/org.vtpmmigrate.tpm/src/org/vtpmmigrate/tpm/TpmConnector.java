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
     * Opens a connection.
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
