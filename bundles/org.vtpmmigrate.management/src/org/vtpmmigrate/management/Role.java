package org.vtpmmigrate.management;

import java.util.Optional;

/**
 * What a certificate of the administrator CA entitles its holder to. The role is the subject's
 * organisational unit (OU), written by the CA when it issues the certificate.
 */
public enum Role {
    /** A console or CLI user: may call every endpoint. Certificates carry clientAuth only. */
    ADMINISTRATOR("administrator"),
    /**
     * An engine agent: serves the management API and the peer port, and may read another agent's host
     * information and evidence. Certificates carry serverAuth and clientAuth and name the host in their
     * subject alternative names.
     */
    AGENT("agent");

    private final String organisationalUnit;

    Role(String organisationalUnit) {
        this.organisationalUnit = organisationalUnit;
    }

    /** The OU value in certificate subjects. */
    public String organisationalUnit() {
        return organisationalUnit;
    }

    public static Optional<Role> fromOrganisationalUnit(String ou) {
        for (Role role : values()) {
            if (role.organisationalUnit.equals(ou)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
