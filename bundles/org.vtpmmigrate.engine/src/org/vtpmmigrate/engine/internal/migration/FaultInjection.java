package org.vtpmmigrate.engine.internal.migration;

import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;

/**
 * Seams where the attack suite makes an engine misbehave, as a compromised host or a
 * man-in-the-middle would. Production engines use {@link #NONE}. Methods run on the run's thread;
 * each default does nothing.
 */
public interface FaultInjection {
    FaultInjection NONE = new FaultInjection() {
    };

    /** The evidence this host is about to send in {@code role}; return another (a recorded quote, say). */
    default AttestationEvidence evidence(Role role, AttestationEvidence genuine) {
        return genuine;
    }

    /** Destination: the bound key was just created and certified over the attested PCRs. */
    default void afterBoundKeyCreated(HostPlatform platform) throws PlatformException {
    }

    /** Destination: the offer about to be sent; return another (a swapped key, say). */
    default BoundKeyOffer boundKeyOffer(BoundKeyOffer genuine) {
        return genuine;
    }

    /** How many bytes this host writes on a migration link in {@code role} before the link is cut. */
    default long cutLinkAfterBytes(Role role) {
        return Long.MAX_VALUE;
    }

    /** Destination: the VM is loaded and paused; the commit is about to be signed and sent. */
    default void beforeCommit(String vmId) {
    }
}
