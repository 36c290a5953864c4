package org.vtpmmigrate.protocol;

/** Which end of a migration a session plays. */
public enum Role {
    /** Runs the VM now; initiates; sends the stream; stops the VM only on a valid commit. */
    SOURCE,
    /** Receives the VM; creates the PCR-bound key; commits. */
    DESTINATION
}
