package org.vtpmmigrate.engine.internal.migration;

import java.util.function.UnaryOperator;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;

/** Fault injection a test switches on and off while the host runs. */
public final class TestFaults implements FaultInjection {
    /** A hook that may touch the platform TPM. */
    @FunctionalInterface
    public interface PlatformHook {
        void run(HostPlatform platform) throws PlatformException;
    }

    public volatile UnaryOperator<AttestationEvidence> evidence = UnaryOperator.identity();
    public volatile PlatformHook afterBoundKeyCreated = platform -> { };
    public volatile UnaryOperator<BoundKeyOffer> boundKeyOffer = UnaryOperator.identity();
    public volatile long cutSourceLinkAfterBytes = Long.MAX_VALUE;
    public volatile Runnable beforeCommit = () -> { };

    @Override
    public AttestationEvidence evidence(Role role, AttestationEvidence genuine) {
        return evidence.apply(genuine);
    }

    @Override
    public void afterBoundKeyCreated(HostPlatform platform) throws PlatformException {
        afterBoundKeyCreated.run(platform);
    }

    @Override
    public BoundKeyOffer boundKeyOffer(BoundKeyOffer genuine) {
        return boundKeyOffer.apply(genuine);
    }

    @Override
    public long cutLinkAfterBytes(Role role) {
        return role == Role.SOURCE ? cutSourceLinkAfterBytes : Long.MAX_VALUE;
    }

    @Override
    public void beforeCommit(String vmId) {
        beforeCommit.run();
    }
}
