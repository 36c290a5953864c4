package org.vtpmmigrate.protocol;

import java.security.spec.ECPoint;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;

/**
 * The destination's ephemeral PCR-bound ECDH key, loaded in its TPM for one run. Closing it flushes
 * it from the TPM; the session closes it as soon as the shared secret is derived or the run ends.
 */
public interface BoundKey extends AutoCloseable {
    /** Public area and TPM2_Certify evidence, as sent to the source. */
    BoundKeyOffer offer();

    /**
     * TPM2_ECDH_ZGen with the peer's point, in a policy session that satisfies the key's PolicyPCR.
     *
     * @return the x-coordinate of the shared point, big-endian, the curve's field size long
     * @throws PlatformException of kind {@link PlatformException.Kind#POLICY_CHECK_FAILED} when the
     *             PCRs no longer hold the attested values
     */
    byte[] deriveSharedSecret(ECPoint peerPoint) throws PlatformException;

    /** Flushes the key; never throws, may be called more than once. */
    @Override
    void close();
}
