package org.vtpmmigrate.engine.internal.migration;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.vtpmmigrate.attest.tpm2.EkCertificateInfo;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.engine.migration.EnrolledPeer;
import org.vtpmmigrate.engine.migration.PeerAddress;

/** The peers this host enrolled, by host id (kept across restarts by {@link PeerStore}). Thread-safe. */
final class PeerRegistry {
    /**
     * An enrolled peer with what verification needs: the AK public area proven by credential
     * activation, and the validated EK certificate chain.
     */
    record Peer(String hostId, PeerAddress address, TpmPublic attestationKey, TpmPublic endorsementKey,
            EkCertificateInfo ekCertificate, Instant enrolledAt) {
        Peer {
            Objects.requireNonNull(hostId, "hostId");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(attestationKey, "attestationKey");
            Objects.requireNonNull(endorsementKey, "endorsementKey");
            Objects.requireNonNull(ekCertificate, "ekCertificate");
            Objects.requireNonNull(enrolledAt, "enrolledAt");
        }

        EnrolledPeer summary() {
            X509Certificate cert = ekCertificate.certificate();
            return new EnrolledPeer(hostId, address, HexFormat.of().formatHex(attestationKey.name()),
                    cert.getSubjectX500Principal().getName(), cert.getIssuerX500Principal().getName(),
                    ekCertificate.tpmManufacturer(), enrolledAt);
        }
    }

    private final Map<String, Peer> byHostId = new ConcurrentHashMap<>();

    /** Records an enrolment; an earlier one of the same host, or at the same address, is replaced. */
    synchronized void put(Peer peer) {
        byHostId.values().removeIf(p -> p.address().equals(peer.address()));
        byHostId.put(peer.hostId(), peer);
    }

    boolean remove(String hostId) {
        return byHostId.remove(hostId) != null;
    }

    Optional<Peer> byHostId(String hostId) {
        return Optional.ofNullable(byHostId.get(hostId));
    }

    Optional<Peer> byAddress(PeerAddress address) {
        return byHostId.values().stream().filter(p -> p.address().equals(address)).findFirst();
    }

    List<Peer> all() {
        return byHostId.values().stream().sorted(Comparator.comparing(Peer::hostId)).toList();
    }
}
