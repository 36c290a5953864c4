package org.vtpmmigrate.engine.migration;

import java.util.Objects;
import java.util.Optional;

/**
 * Who this host is to its peers: the identity its attestations carry.
 *
 * @param hostId the configured host id
 * @param peerAddress where the engine listens for peers
 * @param tpmEndpoint the platform TPM, e.g. {@code swtpm:127.0.0.1:2321}
 * @param attestationKeyName the AK's TPM name (nameAlg || digest), hex: what enrolment binds
 * @param ekCertificateSubject subject of the EK certificate read from the TPM, if it has one
 * @param ekCertificateIssuer issuer of that certificate
 * @param launchPcr the SHA-256 PCR into which VM launches are measured
 */
public record HostIdentity(String hostId, PeerAddress peerAddress, String tpmEndpoint, String attestationKeyName,
        Optional<String> ekCertificateSubject, Optional<String> ekCertificateIssuer, int launchPcr) {
    public HostIdentity {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(tpmEndpoint, "tpmEndpoint");
        Objects.requireNonNull(attestationKeyName, "attestationKeyName");
        Objects.requireNonNull(ekCertificateSubject, "ekCertificateSubject");
        Objects.requireNonNull(ekCertificateIssuer, "ekCertificateIssuer");
    }
}
