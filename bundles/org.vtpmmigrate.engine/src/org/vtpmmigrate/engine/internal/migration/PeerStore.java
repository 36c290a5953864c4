package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.tpm2.EkCertificateException;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.engine.migration.PeerAddress;

/**
 * The enrolled peers on disk, so that an engine that restarts still knows them: one line per peer
 * with its host id, address, AK and EK public areas, EK certificate and enrolment time. The AK was
 * proven by credential activation when it was enrolled (a primary key, so the same after the peer
 * restarts); the EK certificate is validated again against today's trust on every load, and a peer
 * that no longer passes is left out with the reason in the log, to be enrolled again.
 */
final class PeerStore {
    private static final String VERSION = "vtpm-migrate-peers-v1";
    private static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final int MAX_PEERS = 1024;
    private static final int FIELDS = 8;
    private static final System.Logger LOG = System.getLogger(PeerStore.class.getName());

    private final Path file;

    PeerStore(Path file) {
        this.file = file;
    }

    /** Replaces the file with {@code peers}, readable by its owner only. */
    synchronized void save(Collection<PeerRegistry.Peer> peers) throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        StringBuilder text = new StringBuilder("# enrolled peers, written by the engine; one line per peer\n");
        for (PeerRegistry.Peer p : peers) {
            try {
                text.append(String.join(" ", VERSION, p.hostId(), p.address().host(),
                        Integer.toString(p.address().port()), b64.encodeToString(p.attestationKey().encodedTpm2b()),
                        b64.encodeToString(p.endorsementKey().encodedTpm2b()),
                        b64.encodeToString(p.ekCertificate().certificate().getEncoded()),
                        Long.toString(p.enrolledAt().toEpochMilli()))).append('\n');
            } catch (CertificateEncodingException e) {
                throw new IOException("the EK certificate of " + p.hostId() + " cannot be encoded: " + e.getMessage(), e);
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The peers whose record reads and whose EK certificate {@code trust} still accepts. */
    synchronized List<PeerRegistry.Peer> load(Optional<EkCertificateValidator> trust) throws IOException {
        List<PeerRegistry.Peer> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException(file + " exceeds " + MAX_BYTES + " bytes");
        }
        int number = 0;
        for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\n")) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (out.size() == MAX_PEERS) {
                LOG.log(System.Logger.Level.WARNING, "{0}: more than {1} peers, the rest are not loaded", file, MAX_PEERS);
                break;
            }
            try {
                out.add(parse(line, trust));
            } catch (IllegalArgumentException | TpmFormatException | EkCertificateException e) {
                LOG.log(System.Logger.Level.WARNING, "{0} line {1}: peer not restored, enrol it again: {2}", file, number,
                        e.getMessage());
            }
        }
        return out;
    }

    private static PeerRegistry.Peer parse(String line, Optional<EkCertificateValidator> trust)
            throws TpmFormatException, EkCertificateException {
        String[] f = line.trim().split(" ");
        if (f.length != FIELDS || !f[0].equals(VERSION)) {
            throw new IllegalArgumentException("not a " + VERSION + " record of " + FIELDS + " fields");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        PeerAddress address = new PeerAddress(f[2], Integer.parseInt(f[3]));
        TpmPublic ak = TpmPublic.parseTpm2b(b64.decode(f[4]));
        TpmPublic ek = TpmPublic.parseTpm2b(b64.decode(f[5]));
        EkCertificateValidator validator = trust.orElseThrow(() -> new IllegalArgumentException(
                "peer " + f[1] + ": no trusted EK CA certificates are configured on this host"));
        return new PeerRegistry.Peer(PeerWire.requireHostId(f[1]), address, ak, ek,
                validator.validate(EkCertificateValidator.parseCertificate(b64.decode(f[6])), ek),
                Instant.ofEpochMilli(Long.parseLong(f[7])));
    }
}
