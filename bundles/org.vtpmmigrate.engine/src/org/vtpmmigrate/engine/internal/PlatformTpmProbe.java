package org.vtpmmigrate.engine.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;

import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * Tells whether the platform TPM can be reached, for the agent's info: an agent whose TPM is gone
 * can attest nothing, and an administrator should see that before a migration is attempted.
 * It opens no TPM session; identifying the TPM itself is the tpm bundle's work.
 */
final class PlatformTpmProbe {
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private PlatformTpmProbe() {
    }

    static String describe(String connectorSpec) {
        TpmEndpoint endpoint;
        try {
            endpoint = TpmEndpoint.parse(connectorSpec);
        } catch (IllegalArgumentException e) {
            return "unusable connector: " + e.getMessage();
        }
        if (endpoint.transport() == TpmEndpoint.Transport.DEVICE) {
            return Files.isReadable(endpoint.devicePath()) && Files.isWritable(endpoint.devicePath())
                    ? "device " + endpoint.devicePath() + " present"
                    : "unreachable: " + endpoint.devicePath() + " missing or not readable and writable";
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), CONNECT_TIMEOUT_MS);
            return "swtpm at " + endpoint.host() + ":" + endpoint.port() + " reachable";
        } catch (IOException e) {
            return "unreachable: " + endpoint.host() + ":" + endpoint.port() + " (" + e.getMessage() + ")";
        }
    }
}
