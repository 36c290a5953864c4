package org.vtpmmigrate.tpm.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.vtpmmigrate.tpm.TpmConnection;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmTransportOptions;

/**
 * The connector for both transports. Ready to be a DS component: the public no-arg constructor
 * gives {@code device:/dev/tpmrm0} with default bounds, and {@link #configure(Map)} takes the
 * component properties.
 */
public final class DefaultTpmConnector implements TpmConnector {

    /** Property: the endpoint specification, see {@link TpmEndpoint#parse(String)}. */
    public static final String PROPERTY_ENDPOINT = "endpoint";
    /** Property: connect timeout in milliseconds. */
    public static final String PROPERTY_CONNECT_TIMEOUT = "connectTimeoutMillis";
    /** Property: response timeout in milliseconds. */
    public static final String PROPERTY_RESPONSE_TIMEOUT = "responseTimeoutMillis";
    /** Property: largest accepted response in bytes. */
    public static final String PROPERTY_MAX_RESPONSE = "maxResponseBytes";

    private volatile Configuration configuration;

    private record Configuration(TpmEndpoint endpoint, TpmTransportOptions options) {
    }

    /** The kernel resource manager device with default bounds, until {@link #configure(Map)}. */
    public DefaultTpmConnector() {
        this(TpmEndpoint.parse("device"), TpmTransportOptions.DEFAULTS);
    }

    /** A connector for one endpoint with the given bounds. */
    public DefaultTpmConnector(TpmEndpoint endpoint, TpmTransportOptions options) {
        this.configuration = new Configuration(Objects.requireNonNull(endpoint, "endpoint"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Applies configuration properties ({@value #PROPERTY_ENDPOINT}, {@value #PROPERTY_CONNECT_TIMEOUT},
     * {@value #PROPERTY_RESPONSE_TIMEOUT}, {@value #PROPERTY_MAX_RESPONSE}); absent ones take their
     * defaults. Values may be strings or numbers. Unknown keys are ignored (DS adds its own).
     *
     * @throws IllegalArgumentException naming the property whose value is unusable; the previous
     *         configuration stays in force
     */
    public void configure(Map<String, ?> properties) {
        TpmTransportOptions defaults = TpmTransportOptions.DEFAULTS;
        Object endpointValue = properties.get(PROPERTY_ENDPOINT);
        TpmEndpoint endpoint;
        try {
            endpoint = TpmEndpoint.parse(endpointValue == null ? "device:" + TpmEndpoint.DEFAULT_DEVICE
                    : endpointValue.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Property '" + PROPERTY_ENDPOINT + "': " + e.getMessage(), e);
        }
        long connectMillis = longProperty(properties, PROPERTY_CONNECT_TIMEOUT, defaults.connectTimeout().toMillis());
        long responseMillis = longProperty(properties, PROPERTY_RESPONSE_TIMEOUT, defaults.responseTimeout().toMillis());
        long maxResponse = longProperty(properties, PROPERTY_MAX_RESPONSE, defaults.maxResponseBytes());
        if (maxResponse > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Property '" + PROPERTY_MAX_RESPONSE + "' value " + maxResponse
                    + " is too large");
        }
        TpmTransportOptions options;
        try {
            options = new TpmTransportOptions(Duration.ofMillis(connectMillis), Duration.ofMillis(responseMillis),
                    (int) maxResponse);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TPM connector properties: " + e.getMessage(), e);
        }
        configuration = new Configuration(endpoint, options);
    }

    private static long longProperty(Map<String, ?> properties, String key, long defaultValue) {
        Object value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property '" + key + "' value '" + value + "' is not a whole number", e);
        }
    }

    @Override
    public TpmEndpoint endpoint() {
        return configuration.endpoint();
    }

    /** The transport bounds in force. */
    public TpmTransportOptions options() {
        return configuration.options();
    }

    @Override
    public TpmConnection connect() throws TpmException {
        Configuration current = configuration;
        return TssTpmConnection.open(current.endpoint(), current.options());
    }

    @Override
    public String toString() {
        return "TpmConnector[" + configuration.endpoint() + "]";
    }
}
