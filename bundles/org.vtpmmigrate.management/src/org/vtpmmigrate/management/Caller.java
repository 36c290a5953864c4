package org.vtpmmigrate.management;

import java.util.Objects;

/**
 * The authenticated client of one request, from its TLS client certificate; services record it in the
 * audit log.
 *
 * @param subject the certificate subject DN (RFC 2253), e.g. {@code CN=alice,OU=administrator,O=vTPM Migrate}
 * @param name the subject's common name: the administrator's name or the agent's host id
 * @param role the role the certificate grants
 * @param certificateSerial the certificate's serial number, lower-case hex
 * @param certificateSha256 SHA-256 of the certificate's DER encoding, lower-case hex
 * @param remoteAddress the client's address and port as seen by the server
 */
public record Caller(String subject, String name, Role role, String certificateSerial, String certificateSha256,
        String remoteAddress) {
    public Caller {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(certificateSerial, "certificateSerial");
        Objects.requireNonNull(certificateSha256, "certificateSha256");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }
}
