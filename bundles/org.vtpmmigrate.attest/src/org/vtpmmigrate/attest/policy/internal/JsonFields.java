package org.vtpmmigrate.attest.policy.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Kind;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Node;

/**
 * Reads the members of one JSON object against a schema: members are taken by name, and
 * {@link #finish()} refuses any member nobody took (unknown members are errors, not ignored).
 */
public final class JsonFields {
    private final Node object;
    private final Set<String> known = new LinkedHashSet<>();

    public JsonFields(Node object) throws PolicyFormatException {
        this.object = object.expect(Kind.OBJECT);
    }

    public Node node() {
        return object;
    }

    public Optional<Node> optional(String name) {
        known.add(name);
        Node n = object.members().get(name);
        return n == null || n.kind() == Kind.NULL ? Optional.empty() : Optional.of(n);
    }

    public Node required(String name) throws PolicyFormatException {
        known.add(name);
        Node n = object.members().get(name);
        if (n == null) {
            throw object.error("missing member \"" + name + "\"");
        }
        return n;
    }

    /** Fails on the first member that no call above asked for. */
    public void finish() throws PolicyFormatException {
        for (Map.Entry<String, Node> m : object.members().entrySet()) {
            if (!known.contains(m.getKey())) {
                throw m.getValue().error("unknown member \"" + JsonTree.abbreviate(m.getKey()) + "\"; "
                        + (known.isEmpty() ? "no members are allowed here" : "allowed here: " + String.join(", ", known)));
            }
        }
    }

    // ---- value readers shared by the JSON schemas of this package ----

    public static String string(Node n, int maxLength) throws PolicyFormatException {
        n.expect(Kind.STRING);
        if (n.text().length() > maxLength) {
            throw n.error("string of " + n.text().length() + " characters exceeds the limit of " + maxLength);
        }
        return n.text();
    }

    public static boolean bool(Node n) throws PolicyFormatException {
        return Boolean.parseBoolean(n.expect(Kind.BOOLEAN).text());
    }

    /** An integer literal (no fraction, no exponent) within {@code min..max}. */
    public static long integer(Node n, long min, long max) throws PolicyFormatException {
        n.expect(Kind.NUMBER);
        String t = n.text();
        if (!t.matches("-?(0|[1-9][0-9]{0,18})")) {
            throw n.error("expected a whole number, found " + JsonTree.abbreviate(t));
        }
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw n.error("number " + JsonTree.abbreviate(t) + " is out of range " + min + ".." + max);
        }
        if (v < min || v > max) {
            throw n.error("number " + v + " is out of range " + min + ".." + max);
        }
        return v;
    }

    public static int pcrIndex(Node n) throws PolicyFormatException {
        return (int) integer(n, 0, PcrValues.PCR_COUNT - 1);
    }

    /** A PCR index written as an object member name ("7"). */
    public static int pcrIndexKey(String key, Node value) throws PolicyFormatException {
        if (!key.matches("0|[1-9][0-9]?") || Integer.parseInt(key) >= PcrValues.PCR_COUNT) {
            throw value.error("\"" + JsonTree.abbreviate(key) + "\" is not a PCR index 0.." + (PcrValues.PCR_COUNT - 1));
        }
        return Integer.parseInt(key);
    }

    /** A bank written as a member name or string: sha1, sha256, sha384, sha512, sm3_256. */
    public static HashAlgorithm bank(String name, Node at) throws PolicyFormatException {
        Optional<HashAlgorithm> h = HashAlgorithm.fromBankName(name).filter(a -> a.bankName().equals(name));
        if (h.isEmpty()) {
            throw at.error("\"" + JsonTree.abbreviate(name)
                    + "\" is not a PCR bank (sha1, sha256, sha384, sha512, sm3_256)");
        }
        return h.get();
    }

    /** An array of at most {@code max} elements. */
    public static List<Node> array(Node n, int max) throws PolicyFormatException {
        n.expect(Kind.ARRAY);
        if (n.elements().size() > max) {
            throw n.error(n.elements().size() + " elements exceed the limit of " + max);
        }
        return n.elements();
    }

    /** A lowercase hex digest of {@code bank}'s size. */
    public static String digest(Node n, HashAlgorithm bank) throws PolicyFormatException {
        String hex = string(n, 2 * 64);
        Optional<String> problem = Digests.hexProblem(hex, bank);
        if (problem.isPresent()) {
            throw n.error(problem.get());
        }
        return hex;
    }

    /** One digest or an array of digests of {@code bank}: the allowed values of something. */
    public static List<String> digests(Node n, HashAlgorithm bank, int max) throws PolicyFormatException {
        List<String> out = new ArrayList<>();
        if (n.kind() == Kind.STRING) {
            out.add(digest(n, bank));
            return out;
        }
        if (n.kind() != Kind.ARRAY) {
            throw n.error("expected a hex digest or an array of them, found " + n.kind().article());
        }
        for (Node e : array(n, max)) {
            out.add(digest(e, bank));
        }
        if (out.isEmpty()) {
            throw n.error("empty list: nothing would be allowed");
        }
        return out;
    }
}
