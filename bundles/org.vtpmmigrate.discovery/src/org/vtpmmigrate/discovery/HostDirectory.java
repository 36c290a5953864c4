package org.vtpmmigrate.discovery;

import java.util.List;

/** Where the console and agents learn which agents exist. */
public interface HostDirectory {
    /** The hosts known now, in a stable order (by host id). */
    List<HostEntry> hosts();
}
