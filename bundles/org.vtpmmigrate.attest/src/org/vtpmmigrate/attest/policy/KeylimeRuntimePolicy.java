package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.vtpmmigrate.attest.policy.internal.JsonFields;
import org.vtpmmigrate.attest.policy.internal.JsonTree;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Kind;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Node;
import org.vtpmmigrate.attest.policy.internal.PolicyCodec;

/**
 * Imports the IMA part of a Keylime runtime policy (format version 1, as {@code keylime-policy
 * create runtime} writes it) into {@link Policy.ImaRules}:
 * <ul>
 * <li>{@code digests} (path to digests, hex with or without {@code algorithm:}) become the
 * allowlist;</li>
 * <li>{@code excludes} (regular expressions) are kept;</li>
 * <li>{@code keyrings} and {@code ima-buf} (name to digests of measured buffers) join the
 * allowlist under their names, which is what ima-buf entries carry in their name field;</li>
 * <li>{@code ima.ignored_keyrings} become excludes matching exactly those names.</li>
 * </ul>
 * Parts this verifier cannot enforce are refused rather than dropped, so an import never
 * silently weakens a policy: non-empty {@code verification-keys} (signature appraisal) and a
 * {@code dm_policy}. A DSSE-signed policy (an envelope with {@code payload} and
 * {@code signatures}) is refused too: verify it with Keylime and import the payload.
 */
public final class KeylimeRuntimePolicy {
    /** Largest Keylime policy accepted (same bound as a policy file). */
    public static final int MAX_BYTES = PolicyJson.MAX_POLICY_BYTES;

    private KeylimeRuntimePolicy() {
    }

    /** Reads a Keylime runtime policy file. */
    public static Policy.ImaRules read(Path file) throws IOException, PolicyFormatException {
        String source = String.valueOf(file.getFileName());
        return parse(PolicyJson.readBounded(file, MAX_BYTES, source), source);
    }

    /**
     * Converts a Keylime runtime policy; IMA PCR 10 and the boot_aggregate check on (Keylime
     * checks it against the quoted PCRs too).
     */
    public static Policy.ImaRules parse(String json, String source) throws PolicyFormatException {
        if (json.length() > MAX_BYTES) {
            throw new PolicyFormatException(source, 0, 0, "", json.length() + " characters exceed the limit of "
                    + MAX_BYTES);
        }
        Node root = JsonTree.parse(json, source, PolicyCodec.MAX_NODES);
        if (root.members().containsKey("payload") && root.members().containsKey("signatures")) {
            throw root.error("this is a DSSE-signed Keylime policy; its signature is not verified here: verify it with"
                    + " keylime-policy and import the unsigned payload");
        }
        JsonFields top = new JsonFields(root);
        JsonFields meta = new JsonFields(top.required("meta"));
        Node version = meta.required("version");
        long v = JsonFields.integer(version, 0, Integer.MAX_VALUE);
        if (v != 1) {
            throw version.error("Keylime runtime policy format version " + v + " is not supported (version 1 is)");
        }
        meta.optional("generator");
        meta.optional("timestamp");
        meta.finish();
        top.optional("release");

        SortedMap<String, SortedSet<String>> allowlist = top.optional("digests").isPresent()
                ? PolicyCodec.imaAllowlist(top.optional("digests").get()) : new java.util.TreeMap<>();
        for (String section : List.of("keyrings", "ima-buf")) {
            Optional<Node> n = top.optional(section);
            if (n.isPresent()) {
                PolicyCodec.imaAllowlist(n.get()).forEach((name, digests) ->
                        allowlist.computeIfAbsent(name, k -> new TreeSet<>()).addAll(digests));
            }
        }
        List<String> excludes = new ArrayList<>();
        if (top.optional("excludes").isPresent()) {
            excludes.addAll(PolicyCodec.patterns(top.optional("excludes").get()));
        }
        Optional<Node> ima = top.optional("ima");
        if (ima.isPresent()) {
            JsonFields f = new JsonFields(ima.get());
            Optional<Node> ignored = f.optional("ignored_keyrings");
            if (ignored.isPresent()) {
                for (Node k : JsonFields.array(ignored.get(), 1024)) {
                    excludes.add(Pattern.quote(JsonFields.string(k, 256)) + "$");
                }
            }
            f.optional("log_hash_alg");
            Optional<Node> dm = f.optional("dm_policy");
            if (dm.isPresent()) {
                throw dm.get().error("device-mapper policies are not supported; remove dm_policy or set it to null");
            }
            f.finish();
        }
        Optional<Node> keys = top.optional("verification-keys");
        if (keys.isPresent() && !(keys.get().kind() == Kind.STRING && keys.get().text().isEmpty())) {
            throw keys.get().error("IMA signature verification keys are not supported; an import would drop the"
                    + " signature requirement");
        }
        top.finish();
        return new Policy.ImaRules(Policy.ImaRules.DEFAULT_PCR, true, allowlist, excludes);
    }
}
