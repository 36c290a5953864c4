package org.vtpmmigrate.management;

import java.time.Instant;
import org.vtpmmigrate.management.internal.Check;

/**
 * A host this agent has enrolled: its EK certificate chained to a trusted CA and its attestation key
 * was proven by credential activation.
 *
 * @param hostId the peer's host id
 * @param address the peer's protocol address {@code host:port}
 * @param akName the peer's attestation key name (hex)
 * @param ekCertificateSubject the subject of the peer's EK certificate
 * @param ekCertificateIssuer the issuer of the peer's EK certificate
 * @param enrolledAt when the enrolment succeeded
 */
public record PeerSummary(String hostId, String address, String akName, String ekCertificateSubject,
        String ekCertificateIssuer, Instant enrolledAt) {
    public PeerSummary {
        Check.identifier("hostId", hostId);
        Check.hostAndPort("address", address);
        Check.hex("akName", akName, 2, 66);
        Check.text("ekCertificateSubject", ekCertificateSubject, Check.MAX_TEXT);
        Check.text("ekCertificateIssuer", ekCertificateIssuer, Check.MAX_TEXT);
        Check.required("enrolledAt", enrolledAt);
    }
}
