package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Expect;
import org.vtpmmigrate.protocol.fixtures.Faults;
import org.vtpmmigrate.protocol.fixtures.Frames;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.fixtures.SoftwareFormats;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.memory.InMemoryLink.Direction;
import org.vtpmmigrate.protocol.wire.AttestationChallenge;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.KeyConfirm;
import org.vtpmmigrate.protocol.wire.KeyExchange;
import org.vtpmmigrate.protocol.wire.MessageType;
import org.vtpmmigrate.protocol.wire.MigrationAccept;
import org.vtpmmigrate.protocol.wire.MigrationRequest;

/**
 * Attacks on the handshake, each through the in-memory link's fault injector, each refused with a
 * typed reason before any record is sent.
 */
class HandshakeAttackTest {
    private static final Direction TO_DESTINATION = Direction.SOURCE_TO_DESTINATION;
    private static final Direction TO_SOURCE = Direction.DESTINATION_TO_SOURCE;

    private final Scenario s = new Scenario();

    private static void noRecordsMoved(InMemoryLink link) {
        assertTrue(link.destinationOutcomes().stream().noneMatch(o -> o.payload().isPresent()));
        assertFalse(link.source().committed());
        assertFalse(link.destination().committed());
    }

    private List<Faults.Captured> captureOneRun() {
        List<Faults.Captured> captured = new ArrayList<>();
        InMemoryLink first = s.link(Faults.recording(captured)).start();
        assertEquals(SessionState.TRANSFERRING, first.source().state());
        return captured;
    }

    @Test
    void destinationEvidenceReplayedFromAPreviousRunIsStale() {
        byte[] oldEvidence = Faults.first(captureOneRun(), TO_SOURCE, MessageType.ATTESTATION_EVIDENCE);
        int sourceQuotes = s.sourceHost.quotes();
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.ATTESTATION_EVIDENCE, f -> oldEvidence))
                .start();
        Expect.failed(link.source(), FailureReason.STALE_EVIDENCE, "[NONCE]", "is not this run's nonce");
        Expect.abortedByPeer(link.destination(), FailureReason.STALE_EVIDENCE);
        assertTrue(link.source().peerVerdict().orElseThrow().failed(VerificationCheck.NONCE));
        assertEquals(sourceQuotes, s.sourceHost.quotes(), "the source revealed nothing to an unverified peer");
        assertEquals(0, s.destinationHost.loadedBoundKeys(), "the abort flushed the bound key");
        noRecordsMoved(link);
    }

    @Test
    void sourceEvidenceReplayedFromAPreviousRunIsStale() {
        byte[] oldEvidence = Faults.first(captureOneRun(), TO_DESTINATION, MessageType.ATTESTATION_EVIDENCE);
        InMemoryLink link = s.link(Faults.replaceFirst(TO_DESTINATION, MessageType.ATTESTATION_EVIDENCE,
                f -> oldEvidence)).start();
        Expect.failed(link.destination(), FailureReason.STALE_EVIDENCE, "source evidence rejected");
        Expect.abortedByPeer(link.source(), FailureReason.STALE_EVIDENCE);
        noRecordsMoved(link);
    }

    @Test
    void anOldChallengeSlippedInIsCaughtByTheCertifiedTranscript() {
        byte[] oldChallenge = Faults.first(captureOneRun(), TO_SOURCE, MessageType.ATTESTATION_CHALLENGE);
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.ATTESTATION_CHALLENGE,
                f -> oldChallenge)).start();
        // the destination certified its key over the transcript with its real challenge
        Expect.failed(link.source(), FailureReason.BOUND_KEY_REJECTED, "[QUALIFYING_DATA]");
        noRecordsMoved(link);
    }

    @Test
    void theSourcesOwnNonceReflectedBackIsRefused() {
        Bytes[] sourceNonce = new Bytes[1];
        InMemoryLink link = s.link((d, i, f) -> {
            if (d == TO_DESTINATION && Frames.type(f) == MessageType.ATTESTATION_CHALLENGE) {
                sourceNonce[0] = ((AttestationChallenge) Frames.decode(f)).nonce();
            }
            if (d == TO_SOURCE && Frames.type(f) == MessageType.ATTESTATION_CHALLENGE) {
                return List.of(Frames.<AttestationChallenge>rewrite(f,
                        c -> new AttestationChallenge(sourceNonce[0], c.selection())));
            }
            return List.of(f);
        }).start();
        Expect.failed(link.source(), FailureReason.REFLECTED_NONCE, "was issued by this host");
        noRecordsMoved(link);
    }

    @Test
    void aBoundKeySwappedForTheAttackersKeyIsRejected() {
        ECPublicKey attacker = attackerKey();
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.BOUND_KEY_OFFER,
                f -> Frames.<BoundKeyOffer>rewrite(f, o -> {
                    SoftwareFormats.PublicArea area = SoftwareFormats.parsePublicArea(o.publicArea().toByteArray());
                    byte[] forged = SoftwareFormats.publicArea(area.attributes(), area.authPolicy(), attacker.getW());
                    return new BoundKeyOffer(Bytes.of(forged), o.certifyInfo(), o.certifySignature());
                }))).start();
        Expect.failed(link.source(), FailureReason.BOUND_KEY_REJECTED, "[KEY_NAME]");
        Expect.abortedByPeer(link.destination(), FailureReason.BOUND_KEY_REJECTED);
        noRecordsMoved(link);
    }

    @Test
    void aWholeBoundKeyOfferFromAnotherRunIsRejected() {
        byte[] oldOffer = Faults.first(captureOneRun(), TO_SOURCE, MessageType.BOUND_KEY_OFFER);
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.BOUND_KEY_OFFER, f -> oldOffer)).start();
        Expect.failed(link.source(), FailureReason.BOUND_KEY_REJECTED, "[QUALIFYING_DATA]");
        noRecordsMoved(link);
    }

    private static ECPublicKey attackerKey() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return (ECPublicKey) g.generateKeyPair().getPublic();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEphemeralKeySwappedInTransitFailsKeyConfirmation() {
        byte[] attackerPoint = SoftwareFormats.encodePoint(attackerKey().getW());
        InMemoryLink link = s.link(Faults.replaceFirst(TO_DESTINATION, MessageType.KEY_EXCHANGE,
                f -> Frames.<KeyExchange>rewrite(f, k -> new KeyExchange(Bytes.of(attackerPoint))))).start();
        Expect.failed(link.destination(), FailureReason.KEY_CONFIRMATION_FAILED);
        Expect.abortedByPeer(link.source(), FailureReason.KEY_CONFIRMATION_FAILED);
        noRecordsMoved(link);
    }

    @Test
    void anEphemeralKeyOffTheCurveIsRefusedBeforeTheTpmSeesIt() {
        byte[] bad = SoftwareFormats.encodePoint(attackerKey().getW());
        bad[64] ^= 1;
        InMemoryLink link = s.link(Faults.replaceFirst(TO_DESTINATION, MessageType.KEY_EXCHANGE,
                f -> Frames.<KeyExchange>rewrite(f, k -> new KeyExchange(Bytes.of(bad))))).start();
        Expect.failed(link.destination(), FailureReason.INVALID_KEY_SHARE, "not on P-256");
        noRecordsMoved(link);
    }

    @Test
    void destinationWhosePcrsChangeAfterAttestationCannotDeriveTheKey() {
        InMemoryLink link = s.link((d, i, f) -> {
            if (d == TO_SOURCE && Frames.type(f) == MessageType.BOUND_KEY_OFFER) {
                s.destinationHost.extend(4, "a module loaded after the quote");
            }
            return List.of(f);
        }).start();
        Expect.failed(link.destination(), FailureReason.BOUND_KEY_UNUSABLE, "POLICY_CHECK_FAILED",
                "PCRs changed since they were attested");
        Expect.abortedByPeer(link.source(), FailureReason.BOUND_KEY_UNUSABLE);
        assertTrue(link.source().peerVerdict().orElseThrow().accepted(), "the quote itself was good");
        assertEquals(0, s.destinationHost.loadedBoundKeys());
        noRecordsMoved(link);
    }

    @Test
    void destinationBreakingThePolicyIsRejectedWithThePcrNamed() {
        s.destinationHost.extend(7, "unexpected boot component");
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        Expect.failed(link.source(), FailureReason.PEER_ATTESTATION_REJECTED, "[POLICY] PCR 7 (sha256)");
        noRecordsMoved(link);
    }

    @Test
    void compromisedSourceCannotPushAVm() {
        s.sourceHost.extend(0, "tampered firmware");
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        Expect.failed(link.destination(), FailureReason.PEER_ATTESTATION_REJECTED, "[POLICY] PCR 0 (sha256)");
        Expect.abortedByPeer(link.source(), FailureReason.PEER_ATTESTATION_REJECTED);
        noRecordsMoved(link);
    }

    @Test
    void maliciousVmIsNotMoved() {
        s.launchAllowlist = new java.util.HashMap<>(s.launchAllowlist);
        s.launchAllowlist.put("kernel", Scenario.measurement("kernel", "vmlinuz-6.1-signed").digest());
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        Expect.failed(link.destination(), FailureReason.PEER_ATTESTATION_REJECTED, "[LAUNCH_MEASUREMENT]",
                "'kernel'");
        noRecordsMoved(link);
    }

    @Test
    void evidenceSignedByAnotherKeyIsRejected() {
        // a destination host with its own AK that the source never enrolled
        Scenario other = new Scenario();
        byte[][] forgedEvidence = new byte[1][];
        InMemoryLink probe = other.link((d, i, f) -> {
            if (d == TO_SOURCE && Frames.type(f) == MessageType.ATTESTATION_EVIDENCE) {
                forgedEvidence[0] = f;
            }
            return List.of(f);
        }).start();
        assertEquals(SessionState.TRANSFERRING, probe.source().state());
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.ATTESTATION_EVIDENCE,
                f -> forgedEvidence[0])).start();
        Expect.failed(link.source(), FailureReason.STALE_EVIDENCE, "[SIGNATURE]");
    }

    @Test
    void wrongKeyConfirmationFromTheSourceIsRefused() {
        InMemoryLink link = s.link(Faults.replaceFirst(TO_DESTINATION, MessageType.KEY_CONFIRM,
                f -> Frames.flip(f, f.length - 1))).start();
        Expect.failed(link.destination(), FailureReason.KEY_CONFIRMATION_FAILED, "source's key confirmation");
        noRecordsMoved(link);
    }

    @Test
    void wrongKeyConfirmationFromTheDestinationIsRefused() {
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.KEY_CONFIRM,
                f -> Frames.<KeyConfirm>rewrite(f, k -> new KeyConfirm(Bytes.of(new byte[32]))))).start();
        Expect.failed(link.source(), FailureReason.KEY_CONFIRMATION_FAILED, "destination's key confirmation");
        Expect.abortedByPeer(link.destination(), FailureReason.KEY_CONFIRMATION_FAILED);
        noRecordsMoved(link);
    }

    @Test
    void strippingTheStrongSuiteFromTheOfferIsDetectedAsDowngrade() {
        s.offeredSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM,
                CipherSuite.ECDH_P256_HKDF_SHA256_AES_128_GCM);
        s.allowedSuites = s.offeredSuites;
        InMemoryLink link = s.link(Faults.replaceFirst(TO_DESTINATION, MessageType.MIGRATION_REQUEST,
                f -> Frames.<MigrationRequest>rewrite(f, r -> new MigrationRequest(r.migrationId(), r.vmId(),
                        r.policyId(), r.policyDigest(), r.vtpmEpoch(), List.of(0x0002))))).start();
        Expect.failed(link.source(), FailureReason.ALGORITHM_DOWNGRADE, "altered in transit",
                "0x0002 ECDH_P256_HKDF_SHA256_AES_128_GCM");
        Expect.abortedByPeer(link.destination(), FailureReason.ALGORITHM_DOWNGRADE);
        noRecordsMoved(link);
    }

    @Test
    void anOfferOfOnlyWeakerSuitesIsRefused() {
        s.offeredSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_128_GCM);
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        Expect.failed(link.destination(), FailureReason.ALGORITHM_NOT_ACCEPTABLE, "is allowed here");
        Expect.abortedByPeer(link.source(), FailureReason.ALGORITHM_NOT_ACCEPTABLE);
        assertEquals(0, s.destinationHost.quotes(), "refused before any TPM work");
    }

    @Test
    void aSuiteTheSourceDidNotOfferIsRefused() {
        InMemoryLink link = s.link(Faults.replaceFirst(TO_SOURCE, MessageType.MIGRATION_ACCEPT,
                f -> Frames.<MigrationAccept>rewrite(f, a -> new MigrationAccept(0x0002, a.offerAsReceived()))))
                .start();
        Expect.failed(link.source(), FailureReason.ALGORITHM_NOT_ACCEPTABLE, "did not offer");
    }

    @Test
    void aRefusedRequestEndsTheRunWithTheEnginesReason() {
        s.refusal = "vTPM epoch 7 is not newer than epoch 9 seen before";
        InMemoryLink link = s.link(InMemoryLink.FaultInjector.NONE).start();
        Expect.failed(link.destination(), FailureReason.REQUEST_REFUSED, "epoch 7 is not newer");
        Failure f = Expect.abortedByPeer(link.source(), FailureReason.REQUEST_REFUSED);
        assertTrue(f.detail().contains("epoch 7 is not newer"), f.detail());
    }

    @Test
    void flightsOutOfOrderAreUnexpectedMessages() {
        // destination's evidence held back until after its challenge
        List<byte[]> held = new ArrayList<>();
        InMemoryLink swapped = s.link((d, i, f) -> {
            if (d == TO_SOURCE && Frames.type(f) == MessageType.ATTESTATION_EVIDENCE) {
                held.add(f);
                return List.of();
            }
            if (d == TO_SOURCE && Frames.type(f) == MessageType.ATTESTATION_CHALLENGE) {
                return List.of(f, held.get(0));
            }
            return List.of(f);
        }).start();
        Expect.failed(swapped.source(), FailureReason.UNEXPECTED_MESSAGE,
                "ATTESTATION_CHALLENGE is not expected in state AWAIT_PEER_EVIDENCE (expected ATTESTATION_EVIDENCE)");
    }

    @Test
    void aDuplicatedHandshakeMessageIsUnexpected() {
        InMemoryLink link = s.link(Faults.onNth(TO_SOURCE, MessageType.KEY_CONFIRM, 0, f -> List.of(f, f))).start();
        Expect.failed(link.source(), FailureReason.UNEXPECTED_MESSAGE, "KEY_CONFIRM is not expected in state"
                + " TRANSFERRING");
        Expect.abortedByPeer(link.destination(), FailureReason.UNEXPECTED_MESSAGE);
    }
}
