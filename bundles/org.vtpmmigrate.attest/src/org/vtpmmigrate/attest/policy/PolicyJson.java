package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.vtpmmigrate.attest.policy.internal.PolicyCodec;

/**
 * Policy files: strict reading with the location of every error, and writing in a stable order
 * so the console can edit and save a policy and a diff shows only what changed.
 * <p>
 * Schema version 1 (every member not marked required may be left out; unknown members are
 * errors):
 * <pre>
 * {
 *   "schemaVersion": 1,                                    required
 *   "id": "lab-hosts",                                     required; A-Z a-z 0-9 . _ : -
 *   "description": "free text",
 *   "algorithms": {                                        default: SHA-256 and stronger
 *     "pcrBanks": ["sha256", "sha384", "sha512"],          banks whose values count
 *     "signatureHashes": ["sha256", "sha384", "sha512"]    quote signature hashes
 *   },
 *   "pcrSelection": {"sha256": [0, 1, 2, 7]},              required; what every quote must cover
 *   "pcrs": {"7": {"sha256": ["&lt;hex&gt;", "&lt;hex&gt;"]}},         allowed values per PCR and bank
 *   "eventLog": {
 *     "required": true,                                    default true
 *     "acceptedTypes": ["EV_SEPARATOR", "0x800000E0"],     default: every type EventType names
 *     "allowedDigests": {"sha256": ["&lt;hex&gt;"]},             when a bank is present: only these
 *     "forbiddenDigests": {"sha256": ["&lt;hex&gt;"]}
 *   },
 *   "ima": {
 *     "pcr": 10,                                           default 10
 *     "checkBootAggregate": true,                          default true
 *     "allowlist": {"/usr/bin/bash": ["sha256:&lt;hex&gt;"]},     bare hex: any algorithm of that size
 *     "excludes": ["/tmp/.*"]                              java.util.regex, matched from the start
 *   },
 *   "ekCertificates": {
 *     "trusted": [{"file": "cas/tpm-root.pem"}, {"pem": "-----BEGIN CERTIFICATE-----\n..."}],
 *     "intermediates": [{"file": "cas/tpm-issuing.pem"}]   relative to the policy's directory
 *   },
 *   "vmLaunch": {
 *     "pcr": 15,                                           when present: launch log must replay to it
 *     "allowed": {"firmware": ["&lt;sha256 hex&gt;"], "kernel": ["&lt;hex&gt;"]}
 *   },
 *   "freshness": {"requireSafeClock": true, "sameBootCycle": true}
 * }
 * </pre>
 * A list of allowed digests may be a single string where one value is allowed; a member whose
 * value is {@code null} counts as left out. Limits: the
 * document at most {@value #MAX_POLICY_BYTES} bytes (a distribution-wide IMA allowlist of a few
 * hundred thousand files is about 10 MiB) and {@value PolicyCodec#MAX_NODES} JSON values.
 */
public final class PolicyJson {
    /** Largest policy file accepted. */
    public static final int MAX_POLICY_BYTES = 16 * 1024 * 1024;

    private PolicyJson() {
    }

    /**
     * Reads a policy file. Relative certificate file names resolve against its directory.
     *
     * @throws IOException             the file cannot be read
     * @throws PolicyFormatException   the content is not a valid policy (names file, line, path)
     */
    public static Policy read(Path file) throws IOException, PolicyFormatException {
        String source = String.valueOf(file.getFileName());
        String text = readBounded(file, MAX_POLICY_BYTES, source);
        Path dir = file.toAbsolutePath().getParent();
        return PolicyCodec.decode(text, source, dir);
    }

    /**
     * Reads a policy from text.
     *
     * @param source  name used in messages
     * @param baseDir directory for relative certificate file names; null refuses them
     */
    public static Policy parse(String json, String source, Path baseDir) throws PolicyFormatException {
        if (json.length() > MAX_POLICY_BYTES) {
            throw new PolicyFormatException(source, 0, 0, "", "policy of " + json.length()
                    + " characters exceeds the limit of " + MAX_POLICY_BYTES);
        }
        return PolicyCodec.decode(json, source, baseDir);
    }

    /** The pretty JSON form: two-space indent, members in schema order, sets sorted. */
    public static String write(Policy policy) {
        return PolicyCodec.write(policy);
    }

    /** Writes the pretty form to {@code file} through a temporary file, so a reader never sees half a policy. */
    public static void save(Policy policy, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, write(policy), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a UTF-8 text file of at most {@code limit} bytes; anything else is a format error. */
    static String readBounded(Path file, int limit, String source) throws IOException, PolicyFormatException {
        long size = Files.size(file);
        if (size > limit) {
            throw new PolicyFormatException(source, 0, 0, "", "file of " + size + " bytes exceeds the limit of "
                    + limit);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(limit + 1);
        }
        if (bytes.length > limit) {
            throw new PolicyFormatException(source, 0, 0, "", "file grew beyond the limit of " + limit + " bytes");
        }
        return utf8(bytes, source);
    }

    static String utf8(byte[] bytes, String source) throws PolicyFormatException {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new PolicyFormatException(source, 0, 0, "", "not UTF-8 text: invalid byte sequence at offset "
                    + in.position());
        }
        decoder.flush(out);
        String text = out.flip().toString();
        // editors on some systems start UTF-8 files with a byte order mark; it is not JSON
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
