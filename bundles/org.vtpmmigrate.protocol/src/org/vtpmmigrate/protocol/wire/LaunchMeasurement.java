package org.vtpmmigrate.protocol.wire;

/**
 * A digest the source recorded when it started the VM (firmware, kernel, initrd, disk image,
 * configuration) and extended into its platform TPM, so the source's quote covers it.
 */
public record LaunchMeasurement(String name, int hashAlgorithm, Bytes digest) {
    public LaunchMeasurement {
        Require.name("launch measurement name", name);
        Require.algorithm("launch measurement " + name + " algorithm", hashAlgorithm);
        Require.length("launch measurement " + name + " digest", digest, Limits.MIN_DIGEST_LENGTH,
                Limits.MAX_DIGEST_LENGTH);
    }
}
