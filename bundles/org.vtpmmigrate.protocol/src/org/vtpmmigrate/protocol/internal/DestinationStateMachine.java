package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;
import java.security.spec.ECPoint;
import java.util.Arrays;
import java.util.Optional;
import org.vtpmmigrate.protocol.AdmissionDecision;
import org.vtpmmigrate.protocol.BoundKey;
import org.vtpmmigrate.protocol.CipherSuite;
import org.vtpmmigrate.protocol.DestinationConfig;
import org.vtpmmigrate.protocol.DestinationSession;
import org.vtpmmigrate.protocol.EvidenceVerifier;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.internal.TransitionTable.LocalEvent;
import org.vtpmmigrate.protocol.wire.AttestationChallenge;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Commit;
import org.vtpmmigrate.protocol.wire.CommitAck;
import org.vtpmmigrate.protocol.wire.DataRecord;
import org.vtpmmigrate.protocol.wire.EndOfStream;
import org.vtpmmigrate.protocol.wire.KeyConfirm;
import org.vtpmmigrate.protocol.wire.KeyExchange;
import org.vtpmmigrate.protocol.wire.Message;
import org.vtpmmigrate.protocol.wire.MigrationAccept;
import org.vtpmmigrate.protocol.wire.MigrationRequest;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/**
 * The destination's steps. Flight (2), answering request + challenge in one go: accept, own
 * evidence, challenge to the source, and the certified PCR-bound key (certified over the transcript
 * up to that point). Then: verify the source, ZGen on the ephemeral key, confirm keys, open records,
 * commit, wait for the acknowledgement.
 */
public final class DestinationStateMachine extends StateMachine implements DestinationSession {
    private final DestinationConfig config;
    private MigrationRequest request;
    private CipherSuite suite;
    private PcrSelection sourceSelection;
    private EvidenceVerifier verifier;
    private Bytes destinationNonce;
    private BoundKey boundKey;
    private SessionKeys keys;
    private Bytes expectedSourceConfirmation;
    private Bytes handshakeHash;
    private RecordOpener opener;
    private StreamSummary summary;
    private Bytes commitPayload;

    public DestinationStateMachine(DestinationConfig config) {
        super(Role.DESTINATION, SessionState.AWAIT_REQUEST, config.clock(), config.timeouts(), config.nonces());
        this.config = config;
    }

    @Override
    void dispatch(Message message, Bytes transcriptBefore) {
        switch (message.type()) {
            case MIGRATION_REQUEST:
                onRequest((MigrationRequest) message);
                break;
            case ATTESTATION_CHALLENGE:
                onChallenge((AttestationChallenge) message);
                break;
            case ATTESTATION_EVIDENCE:
                onEvidence((AttestationEvidence) message);
                break;
            case KEY_EXCHANGE:
                onKeyExchange((KeyExchange) message);
                break;
            case KEY_CONFIRM:
                onKeyConfirm((KeyConfirm) message);
                break;
            case DATA_RECORD:
                onRecord((DataRecord) message);
                break;
            case END_OF_STREAM:
                onEnd((EndOfStream) message);
                break;
            case COMMIT_ACK:
                onCommitAck((CommitAck) message);
                break;
            default:
                throw new IllegalStateException("the transition table let " + message.type() + " through");
        }
    }

    private void onRequest(MigrationRequest r) {
        // the source's preference order decides among the suites this host allows
        suite = r.offeredSuites().stream().map(CipherSuite::fromId).flatMap(Optional::stream)
                .filter(config.allowedSuites()::contains).findFirst()
                .orElseThrow(() -> new RunFailure(FailureReason.ALGORITHM_NOT_ACCEPTABLE, "none of the offered"
                        + " cipher suites " + describeSuites(r.offeredSuites()) + " is allowed here (allowed: "
                        + describeSuites(config.allowedSuites().stream().map(CipherSuite::id).toList()) + ")"));
        AdmissionDecision decision;
        try {
            decision = config.admission().admit(r);
        } catch (RuntimeException e) {
            throw componentFailure("admission", e);
        }
        if (!decision.accepted()) {
            throw new RunFailure(FailureReason.REQUEST_REFUSED, "migration of VM " + r.vmId() + " under policy "
                    + r.policyId() + " refused: " + decision.refusal().orElseThrow());
        }
        request = r;
        sourceSelection = decision.sourceSelection();
        verifier = decision.verifier();
    }

    private void onChallenge(AttestationChallenge challenge) {
        if (nonces.issued(challenge.nonce())) {
            throw new RunFailure(FailureReason.REFLECTED_NONCE, "the source's challenge nonce " + challenge.nonce()
                    + " was issued by this host");
        }
        AttestationEvidence own;
        try {
            own = config.attestor().attest(challenge.nonce(), challenge.selection());
        } catch (PlatformException e) {
            throw platformFailure("quote for the source's challenge", e);
        } catch (RuntimeException e) {
            throw componentFailure("platform attestor", e);
        }
        destinationNonce = issueNonce();
        send(new MigrationAccept(suite.id(), request.offeredSuites()));
        send(own);
        send(new AttestationChallenge(destinationNonce, sourceSelection));
        // certify over everything so far: binds the key to this run, this offer and this evidence
        Bytes transcriptBeforeOffer = transcript.hash();
        try {
            boundKey = config.attestor().createBoundKey(challenge.selection(), own.pcrValues(), transcriptBeforeOffer);
        } catch (PlatformException e) {
            throw platformFailure("creating and certifying the bound key", e);
        } catch (RuntimeException e) {
            throw componentFailure("platform attestor", e);
        }
        send(boundKey.offer());
    }

    private void onEvidence(AttestationEvidence evidence) {
        Verdict verdict;
        try {
            verdict = verifier.verifyEvidence(evidence, destinationNonce, sourceSelection);
        } catch (RuntimeException e) {
            throw componentFailure("evidence verifier", e);
        }
        recordPeerVerdict(verdict);
        if (!verdict.accepted()) {
            throw new RunFailure(evidenceFailure(verdict), "source evidence rejected: " + verdict.describe());
        }
    }

    private void onKeyExchange(KeyExchange exchange) {
        ECPoint point;
        try {
            point = EcPoints.decode(exchange.ephemeralPublicKey().toByteArray());
        } catch (IllegalArgumentException e) {
            throw new RunFailure(FailureReason.INVALID_KEY_SHARE, "ephemeral public key rejected: " + e.getMessage());
        }
        Bytes transcriptAtKeyExchange = transcript.hash();
        byte[] z;
        try {
            z = boundKey.deriveSharedSecret(point);
        } catch (PlatformException e) {
            String why = e.kind() == PlatformException.Kind.POLICY_CHECK_FAILED
                    ? ": the platform's PCRs changed since they were attested" : "";
            throw new RunFailure(FailureReason.BOUND_KEY_UNUSABLE, "ECDH_ZGen with the bound key was refused ("
                    + e.kind() + "): " + e.getMessage() + why);
        } catch (RuntimeException e) {
            throw componentFailure("bound key", e);
        } finally {
            // one ZGen per run: the key has done its job whatever the result
            closeBoundKey();
        }
        try {
            if (z.length != EcPoints.COORDINATE_LENGTH) {
                throw new RunFailure(FailureReason.LOCAL_ERROR, "ZGen returned " + z.length + " bytes, expected "
                        + EcPoints.COORDINATE_LENGTH);
            }
            keys = SessionKeys.derive(z, transcriptAtKeyExchange, suite);
        } finally {
            Arrays.fill(z, (byte) 0);
        }
        expectedSourceConfirmation = keys.sourceConfirmation(transcriptAtKeyExchange);
    }

    private void onKeyConfirm(KeyConfirm confirm) {
        if (!confirm.mac().constantTimeEquals(expectedSourceConfirmation)) {
            throw new RunFailure(FailureReason.KEY_CONFIRMATION_FAILED, "the source's key confirmation does not"
                    + " match: it derived other keys or saw another handshake");
        }
        send(new KeyConfirm(keys.destinationConfirmation(transcript.hash())));
        handshakeHash = transcript.hash();
        opener = new RecordOpener(keys.sourceToDestination, RecordCrypto.SOURCE_TO_DESTINATION,
                request.migrationId());
    }

    private void onRecord(DataRecord record) {
        ByteBuffer plaintext;
        try {
            plaintext = opener.open(record);
        } catch (RecordLayerException e) {
            throw new RunFailure(e.reason(), e.getMessage());
        }
        deliver(record.recordType(), plaintext);
    }

    private void onEnd(EndOfStream end) {
        try {
            summary = opener.finish(end);
        } catch (RecordLayerException e) {
            throw new RunFailure(e.reason(), e.getMessage());
        }
    }

    @Override
    public synchronized Outcome commit() {
        return local(LocalEvent.LOCAL_COMMIT, () -> {
            commitPayload = CommitPayload.of(request.migrationId(), handshakeHash, summary);
            Bytes signature;
            try {
                signature = config.attestor().signCommit(commitPayload);
            } catch (PlatformException e) {
                throw platformFailure("signing the commit", e);
            } catch (RuntimeException e) {
                throw componentFailure("platform attestor", e);
            }
            send(new Commit(summary.records(), summary.payloadBytes(), summary.digest(), signature));
        });
    }

    private void onCommitAck(CommitAck ack) {
        if (!ack.mac().constantTimeEquals(keys.commitAcknowledgement(commitPayload))) {
            throw new RunFailure(FailureReason.COMMIT_ACK_INVALID, "the commit acknowledgement's MAC is wrong");
        }
    }

    @Override
    public synchronized boolean commitInDoubt() {
        // only an authenticated abort is a definite "no": a forged one could hide a lost acknowledgement
        return failure().map(f -> f.state() == SessionState.AWAIT_COMMIT_ACK
                && !(f.reason() == FailureReason.PEER_ABORTED && peerAbortAuthenticated())).orElse(false);
    }

    @Override
    long recordsReceived() {
        return opener == null ? 0 : opener.records;
    }

    @Override
    void released() {
        closeBoundKey();
    }

    private void closeBoundKey() {
        if (boundKey != null) {
            try {
                boundKey.close();
            } finally {
                boundKey = null;
            }
        }
    }

    @Override
    public synchronized Optional<MigrationRequest> request() {
        return Optional.ofNullable(request);
    }

    @Override
    public synchronized Optional<StreamSummary> streamSummary() {
        return Optional.ofNullable(summary);
    }

    @Override
    Bytes abortMac(boolean outgoing, int reasonCode, String detail) {
        if (handshakeHash == null) {
            return null;
        }
        return SessionKeys.abortMac(outgoing ? keys.destinationConfirmKey : keys.sourceConfirmKey, handshakeHash, reasonCode, detail);
    }

    synchronized SessionKeys keys() {
        return keys;
    }

    synchronized Bytes handshakeHash() {
        return handshakeHash;
    }
}
