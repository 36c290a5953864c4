package org.vtpmmigrate.engine.internal.migration;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.vtpmmigrate.attest.tpm2.CredentialMaker;
import org.vtpmmigrate.attest.tpm2.EkCertificateException;
import org.vtpmmigrate.attest.tpm2.EkCertificateInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.IdentityCredential;
import org.vtpmmigrate.attest.tpm2.ObjectAttribute;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.engine.migration.EnrolmentException;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.protocol.PlatformException;

/**
 * Enrolment, both ends. The enroller validates the peer's EK certificate against the trusted CAs,
 * checks that the presented AK is a restricted fixedTPM signing key, and wraps a fresh secret with
 * TPM2_MakeCredential for (EK, AK name): only the TPM owning that EK can unwrap it, and it releases
 * it only to a loaded key with that name. The responder answers with its identity and activates the
 * credential in its platform TPM.
 */
final class Enrolment {
    private static final int SECRET_LENGTH = 32;

    private final String hostId;
    private final HostPlatform platform;
    private final Optional<EkCertificateValidator> validator;
    private final Duration connectTimeout;
    private final Duration exchangeTimeout;
    private final SecureRandom random;
    private final Clock clock;

    Enrolment(String hostId, HostPlatform platform, Optional<EkCertificateValidator> validator,
            Duration connectTimeout, Duration exchangeTimeout, SecureRandom random, Clock clock) {
        this.hostId = PeerWire.requireHostId(hostId);
        this.platform = platform;
        this.validator = validator;
        this.connectTimeout = connectTimeout;
        this.exchangeTimeout = exchangeTimeout;
        this.random = random;
        this.clock = clock;
    }

    /** Enrols the peer at {@code address}. */
    PeerRegistry.Peer enrol(PeerAddress address) throws EnrolmentException {
        EkCertificateValidator trust = validator.orElseThrow(() -> new EnrolmentException(
                EnrolmentException.Reason.PEER_ERROR, "no trusted EK CA certificates are configured on this host"));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) exchangeTimeout.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            PeerWire.writePreface(out, new PeerWire.Preface(PeerWire.Purpose.ENROLMENT, hostId));

            PeerWire.Identity identity = PeerWire.readIdentity(PeerWire.expect(in, PeerWire.MessageType.IDENTITY));
            TpmPublic ek = parsePublic("EK public area", identity.ekPublic());
            TpmPublic ak = parsePublic("AK public area", identity.akPublic());
            EkCertificateInfo certificate = validateEkCertificate(trust, identity, ek);
            requireAttestationKey(identity.hostId(), ak);

            byte[] secret = new byte[SECRET_LENGTH];
            random.nextBytes(secret);
            IdentityCredential credential;
            try {
                credential = new CredentialMaker(random).make(ek, ak.name(), secret);
            } catch (InvalidKeyException | IllegalArgumentException e) {
                throw new EnrolmentException(EnrolmentException.Reason.EK_CERTIFICATE, "peer " + identity.hostId()
                        + ": its EK cannot protect a credential: " + e.getMessage(), e);
            }
            byte[] encryptedSecret = credential.encryptedSecret();
            byte[] tpm2bSecret = ByteBuffer.allocate(2 + encryptedSecret.length)
                    .putShort((short) encryptedSecret.length).put(encryptedSecret).array();
            PeerWire.writeChallenge(out, new PeerWire.CredentialChallenge(credential.credentialBlob(), tpm2bSecret));
            byte[] answer;
            try {
                answer = PeerWire.readResponse(PeerWire.expect(in, PeerWire.MessageType.CREDENTIAL_RESPONSE));
            } catch (PeerWire.PeerErrorException e) {
                throw new EnrolmentException(EnrolmentException.Reason.CREDENTIAL_ACTIVATION, "peer "
                        + identity.hostId() + " could not activate the credential: " + e.getMessage());
            }
            if (!MessageDigest.isEqual(secret, answer)) {
                throw new EnrolmentException(EnrolmentException.Reason.CREDENTIAL_ACTIVATION, "peer "
                        + identity.hostId() + " answered with a secret other than the one wrapped for its EK and AK");
            }
            return new PeerRegistry.Peer(identity.hostId(), address, ak, ek, certificate, clock.instant());
        } catch (PeerWire.MalformedPeerMessageException e) {
            throw new EnrolmentException(EnrolmentException.Reason.MALFORMED_MESSAGE, "peer at " + address + ": "
                    + e.getMessage(), e);
        } catch (PeerWire.PeerErrorException e) {
            throw new EnrolmentException(EnrolmentException.Reason.PEER_ERROR, "peer at " + address + " reported: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new EnrolmentException(EnrolmentException.Reason.CONNECTION, "peer at " + address + ": " + e, e);
        }
    }

    private static TpmPublic parsePublic(String what, byte[] tpm2b) throws EnrolmentException {
        try {
            return TpmPublic.parseTpm2b(tpm2b);
        } catch (TpmFormatException e) {
            throw new EnrolmentException(EnrolmentException.Reason.MALFORMED_MESSAGE, what + ": " + e.getMessage(), e);
        }
    }

    private static EkCertificateInfo validateEkCertificate(EkCertificateValidator trust, PeerWire.Identity identity,
            TpmPublic ek) throws EnrolmentException {
        if (identity.ekCertificate().length == 0) {
            throw new EnrolmentException(EnrolmentException.Reason.EK_CERTIFICATE, "peer " + identity.hostId()
                    + " has no " + identity.ekType() + " EK certificate in its TPM");
        }
        try {
            X509Certificate certificate = EkCertificateValidator.parseCertificate(identity.ekCertificate());
            return trust.validate(certificate, ek);
        } catch (EkCertificateException e) {
            throw new EnrolmentException(EnrolmentException.Reason.EK_CERTIFICATE, "peer " + identity.hostId()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void requireAttestationKey(String peer, TpmPublic ak) throws EnrolmentException {
        if (!ak.has(ObjectAttribute.RESTRICTED) || !ak.has(ObjectAttribute.SIGN_ENCRYPT)
                || !ak.has(ObjectAttribute.FIXED_TPM) || !ak.has(ObjectAttribute.FIXED_PARENT)
                || ak.has(ObjectAttribute.DECRYPT)) {
            throw new EnrolmentException(EnrolmentException.Reason.ATTESTATION_KEY, "peer " + peer + ": AK attributes "
                    + ObjectAttribute.format(ak.attributes()) + " do not make a restricted fixedtpm|fixedparent signing"
                    + " key");
        }
    }

    /** Answers an enroller on an accepted connection (after its preface). */
    void respond(InputStream in, OutputStream out) throws IOException {
        PeerWire.writeIdentity(out, new PeerWire.Identity(hostId, platform.ekType(), platform.ekPublic().tpm2bPublic(),
                platform.ekCertificate().orElse(new byte[0]), platform.attestationKeyPublic().tpm2bPublic()));
        PeerWire.CredentialChallenge challenge = PeerWire.readChallenge(
                PeerWire.expect(in, PeerWire.MessageType.CREDENTIAL_CHALLENGE));
        byte[] secret;
        try {
            secret = platform.activateCredential(challenge.credentialBlob(), challenge.encryptedSecret());
        } catch (PlatformException | IllegalArgumentException e) {
            PeerWire.writeError(out, "credential activation failed: " + e.getMessage());
            return;
        }
        PeerWire.writeResponse(out, secret);
    }
}
