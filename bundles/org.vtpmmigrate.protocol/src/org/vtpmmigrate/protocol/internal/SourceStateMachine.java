package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.KeyAgreement;
import org.vtpmmigrate.protocol.BoundKeyVerification;
import org.vtpmmigrate.protocol.CipherSuite;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.ProtocolFailureException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.SourceConfig;
import org.vtpmmigrate.protocol.SourceSession;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.internal.TransitionTable.LocalEvent;
import org.vtpmmigrate.protocol.wire.AttestationChallenge;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.BoundKeyOffer;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Commit;
import org.vtpmmigrate.protocol.wire.CommitAck;
import org.vtpmmigrate.protocol.wire.KeyConfirm;
import org.vtpmmigrate.protocol.wire.KeyExchange;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.MigrationAccept;
import org.vtpmmigrate.protocol.wire.MigrationRequest;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * The source's steps. Flights: (1) request + challenge; (3) after verifying the destination's
 * evidence and bound key: own evidence, ephemeral key, key confirmation; then records, the
 * end-of-stream record, and the acknowledgement of a valid commit.
 */
public final class SourceStateMachine extends StateMachine implements SourceSession {
    private final SourceConfig config;
    private final MigrationRequest request;
    private Bytes sourceNonce;
    private CipherSuite suite;
    private AttestationEvidence destinationEvidence;
    private AttestationChallenge destinationChallenge;
    private SessionKeys keys;
    private Bytes expectedDestinationConfirmation;
    private Bytes handshakeHash;
    private RecordSealer sealer;
    private StreamSummary summary;

    public SourceStateMachine(SourceConfig config) {
        super(Role.SOURCE, SessionState.NEW, config.clock(), config.timeouts(), config.nonces());
        this.config = config;
        this.request = config.request();
    }

    @Override
    public synchronized Outcome start() {
        return local(LocalEvent.START, () -> {
            sourceNonce = issueNonce();
            send(request);
            send(new AttestationChallenge(sourceNonce, config.destinationSelection()));
        });
    }

    @Override
    void dispatch(Message message, Bytes transcriptBefore) {
        switch (message.type()) {
            case MIGRATION_ACCEPT:
                onAccept((MigrationAccept) message);
                break;
            case ATTESTATION_EVIDENCE:
                onEvidence((AttestationEvidence) message);
                break;
            case ATTESTATION_CHALLENGE:
                onChallenge((AttestationChallenge) message);
                break;
            case BOUND_KEY_OFFER:
                onBoundKey((BoundKeyOffer) message, transcriptBefore);
                break;
            case KEY_CONFIRM:
                onKeyConfirm((KeyConfirm) message);
                break;
            case COMMIT:
                onCommit((Commit) message);
                break;
            default:
                throw new IllegalStateException("the transition table let " + message.type() + " through");
        }
    }

    private void onAccept(MigrationAccept accept) {
        List<Integer> sent = request.offeredSuites();
        if (!accept.offerAsReceived().equals(sent)) {
            throw new RunFailure(FailureReason.ALGORITHM_DOWNGRADE, "the destination received the offer "
                    + describeSuites(accept.offerAsReceived()) + " but the source sent " + describeSuites(sent)
                    + ": the offer was altered in transit");
        }
        suite = CipherSuite.fromId(accept.chosenSuite()).filter(config.offeredSuites()::contains)
                .orElseThrow(() -> new RunFailure(FailureReason.ALGORITHM_NOT_ACCEPTABLE, "the destination chose "
                        + CipherSuite.describe(accept.chosenSuite()) + ", which the source did not offer (offered "
                        + describeSuites(sent) + ")"));
    }

    private void onEvidence(AttestationEvidence evidence) {
        Verdict verdict;
        try {
            verdict = config.verifier().verifyEvidence(evidence, sourceNonce, config.destinationSelection());
        } catch (RuntimeException e) {
            throw componentFailure("evidence verifier", e);
        }
        recordPeerVerdict(verdict);
        if (!verdict.accepted()) {
            throw new RunFailure(evidenceFailure(verdict), "destination evidence rejected: " + verdict.describe());
        }
        destinationEvidence = evidence;
    }

    private void onChallenge(AttestationChallenge challenge) {
        if (challenge.nonce().equals(sourceNonce) || nonces.issued(challenge.nonce())) {
            throw new RunFailure(FailureReason.REFLECTED_NONCE, "the destination's challenge nonce "
                    + challenge.nonce() + " was issued by this host");
        }
        destinationChallenge = challenge;
    }

    private void onBoundKey(BoundKeyOffer offer, Bytes transcriptBeforeOffer) {
        BoundKeyVerification verification;
        try {
            verification = config.verifier().verifyBoundKey(offer, transcriptBeforeOffer, destinationEvidence,
                    config.destinationSelection());
        } catch (RuntimeException e) {
            throw componentFailure("bound key verifier", e);
        }
        if (!verification.verdict().accepted()) {
            throw new RunFailure(FailureReason.BOUND_KEY_REJECTED, "bound key rejected: "
                    + verification.verdict().describe());
        }
        ECPublicKey boundKey = verification.publicKey().orElseThrow();
        if (!EcPoints.isP256(boundKey)) {
            throw new RunFailure(FailureReason.BOUND_KEY_REJECTED, "bound key is not on P-256, which "
                    + suite + " requires");
        }

        AttestationEvidence own;
        try {
            own = config.attestor().attest(destinationChallenge.nonce(), destinationChallenge.selection());
        } catch (PlatformException e) {
            throw platformFailure("quote for the destination's challenge", e);
        } catch (RuntimeException e) {
            throw componentFailure("platform attestor", e);
        }
        send(own);

        KeyPair ephemeral = generateEphemeral();
        send(new KeyExchange(Bytes.of(EcPoints.encode(((ECPublicKey) ephemeral.getPublic()).getW()))));
        Bytes transcriptAtKeyExchange = transcript.hash();
        byte[] z = agree(ephemeral, boundKey);
        try {
            keys = SessionKeys.derive(z, transcriptAtKeyExchange, suite);
        } finally {
            Arrays.fill(z, (byte) 0);
        }
        send(new KeyConfirm(keys.sourceConfirmation(transcriptAtKeyExchange)));
        expectedDestinationConfirmation = keys.destinationConfirmation(transcript.hash());
    }

    private KeyPair generateEphemeral() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(EcPoints.P256, config.random());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate P-256 keys", e);
        }
    }

    private static byte[] agree(KeyPair ephemeral, ECPublicKey peer) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(ephemeral.getPrivate());
            ka.doPhase(peer, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new RunFailure(FailureReason.BOUND_KEY_REJECTED, "ECDH with the bound key failed: " + e.getMessage());
        }
    }

    private void onKeyConfirm(KeyConfirm confirm) {
        if (!confirm.mac().constantTimeEquals(expectedDestinationConfirmation)) {
            throw new RunFailure(FailureReason.KEY_CONFIRMATION_FAILED, "the destination's key confirmation does"
                    + " not match: it derived other keys or saw another handshake");
        }
        handshakeHash = transcript.hash();
        sealer = new RecordSealer(keys.sourceToDestination, RecordCrypto.SOURCE_TO_DESTINATION, request.migrationId());
    }

    @Override
    public synchronized int sealRecord(RecordType type, ByteBuffer plaintext, ByteBuffer frameOut)
            throws ProtocolFailureException {
        if (state() == SessionState.FAILED) {
            throw new ProtocolFailureException(failure().orElseThrow(), List.of());
        }
        if (!allows(LocalEvent.SEAL_RECORD)) {
            throw new IllegalStateException("records can only be sealed in TRANSFERRING, not in " + state());
        }
        int length = sealer.seal(type, plaintext, frameOut);
        enter(SessionState.TRANSFERRING); // restarts the idle deadline
        return length;
    }

    @Override
    public synchronized Outcome endTransfer() {
        return local(LocalEvent.END_TRANSFER, () -> {
            send(sealer.sealEnd());
            summary = sealer.summary();
        });
    }

    private void onCommit(Commit commit) {
        if (commit.recordCount() != summary.records() || commit.payloadBytes() != summary.payloadBytes()
                || !commit.streamDigest().constantTimeEquals(summary.digest())) {
            throw new RunFailure(FailureReason.COMMIT_REJECTED, "the destination commits to " + commit.recordCount()
                    + " records, " + commit.payloadBytes() + " bytes, digest " + commit.streamDigest()
                    + "; the source sent " + summary.records() + " records, " + summary.payloadBytes()
                    + " bytes, digest " + summary.digest());
        }
        Bytes payload = CommitPayload.of(request.migrationId(), handshakeHash, summary);
        Verdict verdict;
        try {
            verdict = config.verifier().verifyCommit(payload, commit.signature(), destinationEvidence);
        } catch (RuntimeException e) {
            throw componentFailure("commit verifier", e);
        }
        if (!verdict.accepted()) {
            throw new RunFailure(FailureReason.COMMIT_REJECTED, "commit signature rejected: " + verdict.describe());
        }
        send(new CommitAck(keys.commitAcknowledgement(payload)));
    }

    @Override
    public synchronized Optional<StreamSummary> streamSummary() {
        return Optional.ofNullable(summary);
    }

    /** The suite agreed on, once accepted. */
    synchronized Optional<CipherSuite> suite() {
        return Optional.ofNullable(suite);
    }

    @Override
    Bytes abortMac(boolean outgoing, int reasonCode, String detail) {
        if (handshakeHash == null) {
            return null;
        }
        return SessionKeys.abortMac(outgoing ? keys.sourceConfirmKey : keys.destinationConfirmKey, handshakeHash, reasonCode, detail);
    }

    synchronized SessionKeys keys() {
        return keys;
    }

    synchronized Bytes handshakeHash() {
        return handshakeHash;
    }

}
