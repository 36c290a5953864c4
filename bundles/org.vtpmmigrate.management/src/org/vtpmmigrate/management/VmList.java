package org.vtpmmigrate.management;

import java.util.List;
import org.vtpmmigrate.management.internal.Check;

/**
 * The VMs of a host: {@code GET /v1/vms}.
 *
 * @param vms every VM the agent manages
 */
public record VmList(List<VmSummary> vms) {
    public VmList {
        vms = Check.list("vms", vms, 0, 10_000);
    }
}
