package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * One VM: {@code GET /v1/vms/{vmId}}.
 *
 * @param id the VM id
 * @param name a display name, or null
 * @param state as in {@link VmSummary#state()}
 * @param memoryBytes guest RAM size
 * @param vcpus number of virtual CPUs
 * @param vtpmInstanceId the id of the VM's vTPM instance (its swtpm state)
 * @param vtpmEpoch the vTPM state's migration epoch; a host refuses a state whose epoch is not newer than
 *        one it has seen
 * @param launchMeasurements what the source host measured when it started the VM
 */
public record VmDetails(String id, String name, String state, long memoryBytes, int vcpus, String vtpmInstanceId,
        long vtpmEpoch, List<LaunchMeasurement> launchMeasurements) {

    public VmDetails {
        Check.identifier("id", id);
        Check.optionalText("name", name, Check.MAX_LABEL);
        Check.token("state", state);
        Check.nonNegative("memoryBytes", memoryBytes);
        Check.range("vcpus", vcpus, 1, 4096);
        Check.identifier("vtpmInstanceId", vtpmInstanceId);
        Check.nonNegative("vtpmEpoch", vtpmEpoch);
        launchMeasurements = Check.list("launchMeasurements", launchMeasurements, 0, 64);
    }

    /**
     * @param component what was measured: {@code firmware}, {@code kernel}, {@code initrd}, {@code disk},
     *        {@code config} (later versions may add values)
     * @param algorithm the digest algorithm, e.g. {@code sha256}
     * @param digest the digest, lower-case hex of the algorithm's size
     */
    public record LaunchMeasurement(String component, String algorithm, String digest) {
        public LaunchMeasurement {
            Check.identifier("component", component);
            int size = Check.digestSize("algorithm", algorithm);
            Check.hex("digest", digest, size, size);
        }
    }
}
