package org.vtpmmigrate.engine.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A peer host this host trusts to attest: its EK certificate chained to a configured CA and its
 * attestation key was proven, by credential activation, to live in the TPM owning that EK. Its
 * quotes, certifications and commits are verified with that AK and no other.
 *
 * @param hostId the id the peer gave at enrolment
 * @param address where the peer was reached
 * @param attestationKeyName the AK's TPM name, hex
 * @param ekCertificateSubject subject of the peer's EK certificate (often empty in TCG profiles)
 * @param ekCertificateIssuer issuer of the peer's EK certificate
 * @param tpmManufacturer manufacturer from the EK certificate, e.g. {@code id:00001014}
 * @param enrolledAt when the credential activation succeeded
 */
public record EnrolledPeer(String hostId, PeerAddress address, String attestationKeyName, String ekCertificateSubject,
        String ekCertificateIssuer, Optional<String> tpmManufacturer, Instant enrolledAt) {
    public EnrolledPeer {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(attestationKeyName, "attestationKeyName");
        Objects.requireNonNull(ekCertificateSubject, "ekCertificateSubject");
        Objects.requireNonNull(ekCertificateIssuer, "ekCertificateIssuer");
        Objects.requireNonNull(tpmManufacturer, "tpmManufacturer");
        Objects.requireNonNull(enrolledAt, "enrolledAt");
    }
}
