package org.vtpmmigrate.audit;

/** The part this host plays in a migration. */
public enum Role {
    SOURCE, DESTINATION
}
