package org.vtpmmigrate.management;

import org.vtpmmigrate.management.internal.Check;

/**
 * One VM in {@link VmList}.
 *
 * @param id the VM id (stable across migrations)
 * @param name a display name, or null
 * @param state {@code RUNNING}, {@code PAUSED}, {@code STOPPED}, {@code MIGRATING_OUT} or {@code MIGRATING_IN}
 *        (later versions may add values)
 */
public record VmSummary(String id, String name, String state) {
    public VmSummary {
        Check.identifier("id", id);
        Check.optionalText("name", name, Check.MAX_LABEL);
        Check.token("state", state);
    }
}
