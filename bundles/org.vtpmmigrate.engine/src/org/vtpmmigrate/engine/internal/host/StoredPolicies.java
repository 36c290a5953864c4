package org.vtpmmigrate.engine.internal.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.engine.internal.migration.PolicyCatalog;
import org.vtpmmigrate.engine.internal.migration.ReferencePcrPolicy;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.PolicyDocument;
import org.vtpmmigrate.management.PolicyList;
import org.vtpmmigrate.management.PolicySummary;
import org.vtpmmigrate.management.PolicyUpload;

/**
 * The policies of a host as administrators wrote them, one {@code <id>.json} file each, and their
 * engine form in the {@link PolicyCatalog} the migrations use. A file that no longer parses is
 * reported and left in place, never deleted. Thread-safe.
 */
final class StoredPolicies {
    static final int MAX_POLICIES = 256;
    static final int MAX_POLICY_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(StoredPolicies.class.getName());

    /** A stored policy: its document (digest over the exact text) and the engine's policy. */
    record Stored(PolicyDocument document, ReferencePcrPolicy migrationPolicy) {
    }

    private final Path directory;
    private final PolicyCatalog catalog;
    private final Map<String, Stored> policies = new TreeMap<>();

    /** Loads every policy in {@code directory} (created if absent) into {@code catalog}. */
    StoredPolicies(Path directory, PolicyCatalog catalog) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.catalog = catalog;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
            for (Path file : files) {
                if (policies.size() == MAX_POLICIES) {
                    LOG.log(System.Logger.Level.WARNING, "more than {0} policies in {1}: the rest are not loaded",
                            MAX_POLICIES, directory);
                    break;
                }
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                try {
                    String text = read(file);
                    Stored stored = parse(id, text, Files.getLastModifiedTime(file).toInstant());
                    policies.put(id, stored);
                    catalog.put(stored.migrationPolicy());
                } catch (IOException | ManagementException e) {
                    LOG.log(System.Logger.Level.WARNING, "policy file {0} not loaded (kept as it is): {1}", file,
                            e.getMessage());
                }
            }
        }
    }

    synchronized PolicyList list() {
        return new PolicyList(policies.values().stream().map(s -> summary(s.document())).toList());
    }

    synchronized Optional<Stored> find(String id) {
        return Optional.ofNullable(policies.get(id));
    }

    PolicyDocument document(String id) throws ManagementException {
        return find(id).map(Stored::document).orElseThrow(() -> new ManagementException(ErrorCode.NOT_FOUND,
                "no policy '" + id + "' on this host"));
    }

    /** Validates, writes the file atomically, then makes the policy usable for migrations. */
    synchronized PolicySummary put(String id, PolicyUpload upload) throws ManagementException {
        Stored current = policies.get(id);
        if (upload.expectedDigest() != null
                && (current == null || !current.document().digest().equals(upload.expectedDigest()))) {
            throw new ManagementException(ErrorCode.CONFLICT, "policy '" + id + "' has digest "
                    + (current == null ? "none (it does not exist)" : current.document().digest()) + ", not "
                    + upload.expectedDigest() + ": it was changed since it was read");
        }
        if (current == null && policies.size() >= MAX_POLICIES) {
            throw new ManagementException(ErrorCode.CONFLICT, "this host keeps at most " + MAX_POLICIES + " policies");
        }
        if (upload.text().getBytes(StandardCharsets.UTF_8).length > MAX_POLICY_BYTES) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "policy text exceeds " + MAX_POLICY_BYTES
                    + " bytes");
        }
        Stored stored = parse(id, upload.text(), Instant.now());
        Path file = directory.resolve(id + ".json");
        // the exact text is kept (its digest is the policy's name in requests), renamed into place
        // within the directory so that no reader ever sees half a policy
        Path tmp = directory.resolve("." + id + ".json.tmp");
        try {
            Files.writeString(tmp, upload.text(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ManagementException(ErrorCode.UNAVAILABLE, "policy '" + id + "' could not be saved: "
                    + e.getMessage());
        }
        policies.put(id, stored);
        catalog.put(stored.migrationPolicy());
        LOG.log(System.Logger.Level.INFO, "policy {0} stored, digest {1}", id, stored.document().digest());
        return summary(stored.document());
    }

    private static Stored parse(String id, String text, Instant updatedAt) throws ManagementException {
        Policy policy;
        try {
            policy = PolicyJson.parse(text, "policy " + id, null);
        } catch (PolicyFormatException e) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "not a valid policy: " + e.getMessage());
        }
        if (!policy.id().equals(id)) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, "the policy's id is '" + policy.id() + "', not '"
                    + id + "'");
        }
        ReferencePcrPolicy migrationPolicy;
        try {
            migrationPolicy = PolicyTranslation.toMigrationPolicy(policy);
        } catch (IllegalArgumentException e) {
            throw new ManagementException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        String digest = HexFormat.of().formatHex(HashAlgorithm.SHA256.digest(text.getBytes(StandardCharsets.UTF_8)));
        return new Stored(new PolicyDocument(id, digest, text, updatedAt), migrationPolicy);
    }

    private static String read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_POLICY_BYTES + 1);
        }
        if (bytes.length > MAX_POLICY_BYTES) {
            throw new IOException("larger than " + MAX_POLICY_BYTES + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text");
        }
    }

    private static PolicySummary summary(PolicyDocument d) {
        return new PolicySummary(d.id(), d.digest(), d.text().getBytes(StandardCharsets.UTF_8).length, d.updatedAt());
    }
}
