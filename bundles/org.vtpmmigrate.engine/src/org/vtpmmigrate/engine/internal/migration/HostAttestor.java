package org.vtpmmigrate.engine.internal.migration;

import java.security.spec.ECPoint;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.protocol.BoundKey;
import org.vtpmmigrate.protocol.PlatformAttestor;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.LaunchMeasurement;
import org.vtpmmigrate.protocol.wire.PcrSelection;
import org.vtpmmigrate.protocol.wire.PcrValue;

/**
 * This host's TPM for one run. A destination takes the platform's state lease before it quotes and
 * keeps it until its bound key is flushed, so no VM launch moves the launch PCR between the quote
 * and ECDH_ZGen. Close it when the run ends (it releases the lease if still held).
 */
final class HostAttestor implements PlatformAttestor, AutoCloseable {
    private final HostPlatform platform;
    private final Role role;
    private final List<LaunchMeasurement> launchMeasurements;
    private final FaultInjection faults;
    private final Duration leaseTimeout;
    private HostPlatform.StateLease lease;

    /**
     * @param launchMeasurements the migrating VM's measurements (source), empty for a destination
     */
    HostAttestor(HostPlatform platform, Role role, List<LaunchMeasurement> launchMeasurements, FaultInjection faults,
            Duration leaseTimeout) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.role = Objects.requireNonNull(role, "role");
        this.launchMeasurements = List.copyOf(launchMeasurements);
        this.faults = Objects.requireNonNull(faults, "faults");
        this.leaseTimeout = Objects.requireNonNull(leaseTimeout, "leaseTimeout");
    }

    @Override
    public synchronized AttestationEvidence attest(Bytes nonce, PcrSelection selection) throws PlatformException {
        org.vtpmmigrate.tpm.PcrSelection tpmSelection = tpmSelection(selection);
        if (role == Role.DESTINATION && lease == null) {
            lease = platform.acquireStateLease(leaseTimeout);
        }
        HostPlatform.PlatformQuote quote = platform.quote(nonce.toByteArray(), tpmSelection);
        AttestationEvidence evidence = new AttestationEvidence(Bytes.of(quote.quote().attest()),
                Bytes.of(quote.quote().signature()), PcrConversions.toWire(quote.values()), Bytes.of(quote.eventLog()),
                Bytes.EMPTY, launchMeasurements);
        return faults.evidence(role, evidence);
    }

    @Override
    public synchronized BoundKey createBoundKey(PcrSelection selection, List<PcrValue> attestedValues,
            Bytes certifyQualifyingData) throws PlatformException {
        org.vtpmmigrate.tpm.PcrValues values;
        try {
            values = PcrConversions.toTpm(selection, attestedValues);
        } catch (IllegalArgumentException e) {
            throw new PlatformException(PlatformException.Kind.TPM_ERROR, "cannot bind a key to " + selection + ": "
                    + e.getMessage(), e);
        }
        HostPlatform.CertifiedBoundKey key = platform.createBoundKey(values, certifyQualifyingData.toByteArray());
        BoundKeyOffer offer;
        try {
            faults.afterBoundKeyCreated(platform);
            offer = faults.boundKeyOffer(new BoundKeyOffer(Bytes.of(key.key().keyPublic().tpm2bPublic()),
                    Bytes.of(key.certification().attest()), Bytes.of(key.certification().signature())));
        } catch (PlatformException | RuntimeException e) {
            platform.closeKey(key.key());
            throw e;
        }
        return new PlatformBoundKey(key, offer);
    }

    /** TPM2_Sign with the AK over the commit payload, which the TPM hashes itself (see {@link HostPlatform#sign}). */
    @Override
    public Bytes signCommit(Bytes commitPayload) throws PlatformException {
        return Bytes.of(platform.sign(commitPayload.toByteArray()));
    }

    private static org.vtpmmigrate.tpm.PcrSelection tpmSelection(PcrSelection selection) throws PlatformException {
        try {
            return PcrConversions.toTpm(selection);
        } catch (IllegalArgumentException e) {
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "cannot quote " + selection + ": "
                    + e.getMessage(), e);
        }
    }

    private synchronized void releaseLease() {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }

    /** Releases the state lease if the run still holds it. */
    @Override
    public void close() {
        releaseLease();
    }

    /** The bound key in the platform TPM; closing flushes it and ends the state lease. */
    private final class PlatformBoundKey implements BoundKey {
        private final HostPlatform.CertifiedBoundKey key;
        private final BoundKeyOffer offer;
        private boolean closed;

        PlatformBoundKey(HostPlatform.CertifiedBoundKey key, BoundKeyOffer offer) {
            this.key = key;
            this.offer = offer;
        }

        @Override
        public BoundKeyOffer offer() {
            return offer;
        }

        @Override
        public byte[] deriveSharedSecret(ECPoint peerPoint) throws PlatformException {
            return platform.ecdhZGen(key.key(), peerPoint);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                platform.closeKey(key.key());
                releaseLease();
            }
        }
    }
}
