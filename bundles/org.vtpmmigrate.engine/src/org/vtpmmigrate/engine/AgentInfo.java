package org.vtpmmigrate.engine;

import java.util.Objects;

/**
 * What an agent says about itself: who it is, which TPM it attests with, and what it runs.
 *
 * @param hostId the host's configured identity, unique among the hosts an administrator manages
 * @param tpmConnector the platform TPM connector, e.g. {@code swtpm:127.0.0.1:2321} or {@code device:/dev/tpmrm0}
 * @param tpmDescription the TPM's own account of itself (manufacturer, firmware, spec level)
 * @param engineVersion the engine bundle's version
 * @param javaVersion the Java runtime's version
 * @param frameworkVersion the OSGi framework's vendor and version
 */
public record AgentInfo(String hostId, String tpmConnector, String tpmDescription, String engineVersion,
        String javaVersion, String frameworkVersion) {

    public AgentInfo {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(tpmConnector, "tpmConnector");
        Objects.requireNonNull(tpmDescription, "tpmDescription");
        Objects.requireNonNull(engineVersion, "engineVersion");
        Objects.requireNonNull(javaVersion, "javaVersion");
        Objects.requireNonNull(frameworkVersion, "frameworkVersion");
    }

    /** Multi-line, aligned: what {@code vtpm:info} and the CLI print. */
    public String toText() {
        return String.format("host id        %s%n" + "tpm connector  %s%n" + "tpm            %s%n"
                + "engine         %s%n" + "java           %s%n" + "framework      %s%n", hostId, tpmConnector,
                tpmDescription, engineVersion, javaVersion, frameworkVersion);
    }
}
