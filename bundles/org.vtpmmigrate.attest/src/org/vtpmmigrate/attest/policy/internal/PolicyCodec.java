package org.vtpmmigrate.attest.policy.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.policy.LaunchLog;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Kind;
import org.vtpmmigrate.attest.policy.internal.JsonTree.Node;
import org.vtpmmigrate.attest.tpm2.PcrSelection;

import com.google.gson.stream.JsonWriter;

/**
 * The JSON schema of a policy, version {@value Policy#SCHEMA_VERSION}: decoding with a precise
 * location for every error, pretty writing in a stable order, and the canonical form its digest
 * is computed over. The schema is documented on {@link org.vtpmmigrate.attest.policy.PolicyJson}.
 */
public final class PolicyCodec {
    /** Most JSON values in a policy (a distribution-wide IMA allowlist has a few hundred thousand). */
    public static final int MAX_NODES = 1_000_000;
    static final int MAX_ALLOWLIST_PATHS = 500_000;
    static final int MAX_DIGESTS_PER_ENTRY = 256;
    static final int MAX_EVENT_DIGESTS = 100_000;
    static final int MAX_EXCLUDES = 1024;
    static final int MAX_PATTERN_LENGTH = 1024;
    static final int MAX_PATH_LENGTH = 4096;
    static final int MAX_CERTIFICATE_SOURCES = 64;
    static final int MAX_CERTIFICATES_PER_SOURCE = 16;
    static final int MAX_CERTIFICATE_FILE_BYTES = 256 * 1024;
    static final int MAX_TEXT = 4096;

    private PolicyCodec() {
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes a policy document.
     *
     * @param baseDir directory against which relative certificate file names resolve; null
     *                when the policy did not come from a file (relative names are then refused)
     */
    public static Policy decode(String json, String source, Path baseDir) throws PolicyFormatException {
        Node root = JsonTree.parse(json, source, MAX_NODES);
        JsonFields top = new JsonFields(root);
        Node version = top.required("schemaVersion");
        long v = JsonFields.integer(version, 0, Integer.MAX_VALUE);
        if (v != Policy.SCHEMA_VERSION) {
            throw version.error("schema version " + v + " is not supported; this program reads version "
                    + Policy.SCHEMA_VERSION);
        }
        Node idNode = top.required("id");
        Policy.Builder b = Policy.builder(JsonFields.string(idNode, 128));
        Optional<Node> description = top.optional("description");
        if (description.isPresent()) {
            b.description(JsonFields.string(description.get(), MAX_TEXT));
        }
        Optional<Node> algorithms = top.optional("algorithms");
        if (algorithms.isPresent()) {
            b.algorithms(algorithms(algorithms.get()));
        }
        b.pcrSelection(selection(top.required("pcrSelection")));
        Optional<Node> pcrs = top.optional("pcrs");
        if (pcrs.isPresent()) {
            referenceValues(pcrs.get(), b);
        }
        Optional<Node> eventLog = top.optional("eventLog");
        if (eventLog.isPresent()) {
            b.eventLog(eventLog(eventLog.get()));
        }
        Optional<Node> ima = top.optional("ima");
        if (ima.isPresent()) {
            b.ima(ima(ima.get()));
        }
        Optional<Node> ek = top.optional("ekCertificates");
        if (ek.isPresent()) {
            b.ekTrust(ekTrust(ek.get(), baseDir));
        }
        Optional<Node> launch = top.optional("vmLaunch");
        if (launch.isPresent()) {
            b.vmLaunch(vmLaunch(launch.get()));
        }
        Optional<Node> freshness = top.optional("freshness");
        if (freshness.isPresent()) {
            b.freshness(freshness(freshness.get()));
        }
        top.finish();
        try {
            return b.build();
        } catch (Policy.InvalidPolicyException e) {
            throw locate(root, e.path()).error(e.problem());
        }
    }

    /** The deepest node along {@code path} (members by name, elements by index). */
    private static Node locate(Node root, List<String> path) {
        Node n = root;
        for (String key : path) {
            Node next = null;
            if (n.kind() == Kind.OBJECT) {
                next = n.members().get(key);
            } else if (n.kind() == Kind.ARRAY && key.matches("\\d{1,9}") && Integer.parseInt(key) < n.elements().size()) {
                next = n.elements().get(Integer.parseInt(key));
            }
            if (next == null) {
                break;
            }
            n = next;
        }
        return n;
    }

    private static Policy.Algorithms algorithms(Node n) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        Set<HashAlgorithm> banks = f.optional("pcrBanks").isPresent() ? bankSet(f.optional("pcrBanks").get())
                : Policy.Algorithms.DEFAULT.pcrBanks();
        Set<HashAlgorithm> sigs = f.optional("signatureHashes").isPresent()
                ? bankSet(f.optional("signatureHashes").get()) : Policy.Algorithms.DEFAULT.signatureHashes();
        f.finish();
        return new Policy.Algorithms(banks, sigs);
    }

    private static Set<HashAlgorithm> bankSet(Node n) throws PolicyFormatException {
        Set<HashAlgorithm> out = EnumSet.noneOf(HashAlgorithm.class);
        for (Node e : JsonFields.array(n, HashAlgorithm.values().length)) {
            if (!out.add(JsonFields.bank(JsonFields.string(e, 16), e))) {
                throw e.error("\"" + e.text() + "\" is listed twice");
            }
        }
        if (out.isEmpty()) {
            throw n.error("empty list: at least one algorithm must be accepted");
        }
        return out;
    }

    /** {@code {"sha256": [0, 1, 7]}}: banks in {@link HashAlgorithm} order, whatever the document order. */
    private static PcrSelection selection(Node n) throws PolicyFormatException {
        n.expect(Kind.OBJECT);
        Map<HashAlgorithm, SortedSet<Integer>> banks = new EnumMap<>(HashAlgorithm.class);
        for (Map.Entry<String, Node> e : n.members().entrySet()) {
            HashAlgorithm bank = JsonFields.bank(e.getKey(), e.getValue());
            SortedSet<Integer> indices = new TreeSet<>();
            for (Node i : JsonFields.array(e.getValue(), org.vtpmmigrate.attest.PcrValues.PCR_COUNT)) {
                if (!indices.add(JsonFields.pcrIndex(i))) {
                    throw i.error("PCR " + i.text() + " is listed twice");
                }
            }
            if (indices.isEmpty()) {
                throw e.getValue().error("no PCR selected in bank " + bank.bankName() + "; leave the bank out instead");
            }
            banks.put(bank, indices);
        }
        PcrSelection.Builder b = PcrSelection.builder();
        banks.forEach(b::select);
        return b.build();
    }

    private static void referenceValues(Node n, Policy.Builder b) throws PolicyFormatException {
        n.expect(Kind.OBJECT);
        for (Map.Entry<String, Node> pcrEntry : n.members().entrySet()) {
            int pcr = JsonFields.pcrIndexKey(pcrEntry.getKey(), pcrEntry.getValue());
            Node banks = pcrEntry.getValue().expect(Kind.OBJECT);
            if (banks.members().isEmpty()) {
                throw banks.error("no bank: give allowed values per bank, e.g. {\"sha256\": [\"<hex>\"]}");
            }
            for (Map.Entry<String, Node> bankEntry : banks.members().entrySet()) {
                HashAlgorithm bank = JsonFields.bank(bankEntry.getKey(), bankEntry.getValue());
                b.referenceValues(bank, pcr, JsonFields.digests(bankEntry.getValue(), bank, MAX_DIGESTS_PER_ENTRY));
            }
        }
    }

    private static Policy.EventLogRules eventLog(Node n) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        boolean required = f.optional("required").isPresent() ? JsonFields.bool(f.optional("required").get()) : true;
        SortedSet<Long> types;
        Optional<Node> typesNode = f.optional("acceptedTypes");
        if (typesNode.isPresent()) {
            types = new TreeSet<>();
            for (Node e : JsonFields.array(typesNode.get(), 1024)) {
                long t = eventType(e);
                if (!types.add(t)) {
                    throw e.error("event type " + EventType.nameOf(t) + " is listed twice");
                }
            }
        } else {
            types = Policy.EventLogRules.knownTypes();
        }
        Map<HashAlgorithm, SortedSet<String>> allowed = f.optional("allowedDigests").isPresent()
                ? digestsPerBank(f.optional("allowedDigests").get()) : Map.of();
        Map<HashAlgorithm, SortedSet<String>> forbidden = f.optional("forbiddenDigests").isPresent()
                ? digestsPerBank(f.optional("forbiddenDigests").get()) : Map.of();
        f.finish();
        return new Policy.EventLogRules(required, types, allowed, forbidden);
    }

    /** An event type by name ("EV_SEPARATOR") or as a hex UINT32 ("0x80000010"). */
    private static long eventType(Node e) throws PolicyFormatException {
        String s = JsonFields.string(e, 64);
        if (s.matches("0[xX][0-9a-fA-F]{1,8}")) {
            return Long.parseLong(s.substring(2), 16);
        }
        for (EventType t : EventType.values()) {
            if (t.name().equals(s)) {
                return t.value();
            }
        }
        throw e.error("\"" + JsonTree.abbreviate(s) + "\" is neither a known event type name (EV_...) nor a"
                + " hex value like \"0x800000E0\"");
    }

    private static Map<HashAlgorithm, SortedSet<String>> digestsPerBank(Node n) throws PolicyFormatException {
        n.expect(Kind.OBJECT);
        Map<HashAlgorithm, SortedSet<String>> out = new EnumMap<>(HashAlgorithm.class);
        for (Map.Entry<String, Node> e : n.members().entrySet()) {
            HashAlgorithm bank = JsonFields.bank(e.getKey(), e.getValue());
            SortedSet<String> values = new TreeSet<>();
            for (Node d : JsonFields.array(e.getValue(), MAX_EVENT_DIGESTS)) {
                values.add(JsonFields.digest(d, bank));
            }
            out.put(bank, values);
        }
        return out;
    }

    private static Policy.ImaRules ima(Node n) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        int pcr = f.optional("pcr").isPresent() ? JsonFields.pcrIndex(f.optional("pcr").get())
                : Policy.ImaRules.DEFAULT_PCR;
        boolean bootAggregate = f.optional("checkBootAggregate").isPresent()
                ? JsonFields.bool(f.optional("checkBootAggregate").get()) : true;
        SortedMap<String, SortedSet<String>> allowlist = f.optional("allowlist").isPresent()
                ? imaAllowlist(f.optional("allowlist").get()) : new TreeMap<>();
        List<String> excludes = f.optional("excludes").isPresent() ? patterns(f.optional("excludes").get())
                : List.of();
        f.finish();
        return new Policy.ImaRules(pcr, bootAggregate, allowlist, excludes);
    }

    /** {@code path -> [digest, ...]}, digests as {@link Digests#normalizeImaDigest(String)} accepts them. */
    public static SortedMap<String, SortedSet<String>> imaAllowlist(Node n) throws PolicyFormatException {
        n.expect(Kind.OBJECT);
        if (n.members().size() > MAX_ALLOWLIST_PATHS) {
            throw n.error(n.members().size() + " paths exceed the limit of " + MAX_ALLOWLIST_PATHS);
        }
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        for (Map.Entry<String, Node> e : n.members().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_PATH_LENGTH) {
                throw e.getValue().error("a path must have 1 to " + MAX_PATH_LENGTH + " characters");
            }
            SortedSet<String> digests = new TreeSet<>();
            if (JsonFields.array(e.getValue(), MAX_DIGESTS_PER_ENTRY).isEmpty()) {
                throw e.getValue().error("no digest listed: nothing would be allowed for this path");
            }
            for (Node d : JsonFields.array(e.getValue(), MAX_DIGESTS_PER_ENTRY)) {
                try {
                    digests.add(Digests.normalizeImaDigest(JsonFields.string(d, 200)));
                } catch (IllegalArgumentException x) {
                    throw d.error(x.getMessage());
                }
            }
            out.merge(e.getKey(), digests, (a, c) -> {
                a.addAll(c);
                return a;
            });
        }
        return out;
    }

    /** Regular expressions, each compiled to prove it is one. */
    public static List<String> patterns(Node n) throws PolicyFormatException {
        List<String> out = new ArrayList<>();
        for (Node e : JsonFields.array(n, MAX_EXCLUDES)) {
            String p = JsonFields.string(e, MAX_PATTERN_LENGTH);
            try {
                java.util.regex.Pattern.compile(p);
            } catch (java.util.regex.PatternSyntaxException x) {
                throw e.error("not a regular expression: " + x.getDescription() + " near index " + x.getIndex());
            }
            out.add(p);
        }
        return out;
    }

    private static Policy.EkTrust ekTrust(Node n, Path baseDir) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        List<Policy.CertificateSource> trusted = f.optional("trusted").isPresent()
                ? certificateSources(f.optional("trusted").get(), baseDir) : List.of();
        List<Policy.CertificateSource> intermediates = f.optional("intermediates").isPresent()
                ? certificateSources(f.optional("intermediates").get(), baseDir) : List.of();
        f.finish();
        return new Policy.EkTrust(trusted, intermediates);
    }

    private static List<Policy.CertificateSource> certificateSources(Node n, Path baseDir) throws PolicyFormatException {
        List<Policy.CertificateSource> out = new ArrayList<>();
        for (Node e : JsonFields.array(n, MAX_CERTIFICATE_SOURCES)) {
            JsonFields f = new JsonFields(e);
            Optional<Node> file = f.optional("file");
            Optional<Node> pem = f.optional("pem");
            f.finish();
            if (file.isPresent() == pem.isPresent()) {
                throw e.error("give exactly one of \"file\" (a PEM or DER file) and \"pem\" (inline PEM text)");
            }
            if (file.isPresent()) {
                String name = JsonFields.string(file.get(), MAX_PATH_LENGTH);
                out.add(new Policy.CertificateSource(Optional.of(name),
                        certificates(readCertificateFile(file.get(), name, baseDir), file.get())));
            } else {
                String text = JsonFields.string(pem.get(), MAX_CERTIFICATE_FILE_BYTES);
                if (!text.contains("-----BEGIN CERTIFICATE-----")) {
                    throw pem.get().error("expected PEM text with -----BEGIN CERTIFICATE-----");
                }
                out.add(new Policy.CertificateSource(Optional.empty(),
                        certificates(text.getBytes(StandardCharsets.US_ASCII), pem.get())));
            }
        }
        return out;
    }

    private static byte[] readCertificateFile(Node at, String name, Path baseDir) throws PolicyFormatException {
        Path p;
        try {
            p = Path.of(name);
        } catch (InvalidPathException e) {
            throw at.error("'" + JsonTree.abbreviate(name) + "' is not a file name: " + e.getReason());
        }
        if (!p.isAbsolute()) {
            if (baseDir == null) {
                throw at.error("relative file name '" + name + "' needs a policy read from a file");
            }
            p = baseDir.resolve(p);
        }
        try {
            long size = Files.size(p);
            if (size > MAX_CERTIFICATE_FILE_BYTES) {
                throw at.error(p + " is " + size + " bytes, more than the limit of " + MAX_CERTIFICATE_FILE_BYTES);
            }
            try (InputStream in = Files.newInputStream(p)) {
                return in.readNBytes(MAX_CERTIFICATE_FILE_BYTES);
            }
        } catch (IOException e) {
            throw at.error("cannot read certificate file " + p + ": " + e);
        }
    }

    private static List<X509Certificate> certificates(byte[] pemOrDer, Node at) throws PolicyFormatException {
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pemOrDer));
        } catch (CertificateException e) {
            throw at.error("not X.509 certificates in PEM or DER: " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw at.error("holds no certificate");
        }
        if (certs.size() > MAX_CERTIFICATES_PER_SOURCE) {
            throw at.error(certs.size() + " certificates exceed the limit of " + MAX_CERTIFICATES_PER_SOURCE);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private static Policy.VmLaunchRules vmLaunch(Node n) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        OptionalInt pcr = f.optional("pcr").isPresent() ? OptionalInt.of(JsonFields.pcrIndex(f.optional("pcr").get()))
                : OptionalInt.empty();
        Node allowedNode = f.required("allowed").expect(Kind.OBJECT);
        f.finish();
        if (allowedNode.members().size() > 64) {
            throw allowedNode.error(allowedNode.members().size() + " measurement names exceed the limit of 64");
        }
        SortedMap<String, SortedSet<String>> allowed = new TreeMap<>();
        for (Map.Entry<String, Node> e : allowedNode.members().entrySet()) {
            if (!LaunchLog.isValidName(e.getKey())) {
                throw e.getValue().error("\"" + JsonTree.abbreviate(e.getKey()) + "\" is not a measurement name"
                        + " (lowercase letters, digits, . _ : -), e.g. firmware, kernel, initrd, disk-image, configuration");
            }
            allowed.put(e.getKey(), new TreeSet<>(JsonFields.digests(e.getValue(), HashAlgorithm.SHA256,
                    MAX_DIGESTS_PER_ENTRY)));
        }
        return new Policy.VmLaunchRules(pcr, allowed);
    }

    private static Policy.Freshness freshness(Node n) throws PolicyFormatException {
        JsonFields f = new JsonFields(n);
        boolean safe = f.optional("requireSafeClock").isPresent() ? JsonFields.bool(f.optional("requireSafeClock").get())
                : Policy.Freshness.DEFAULT.requireSafeClock();
        boolean sameBoot = f.optional("sameBootCycle").isPresent() ? JsonFields.bool(f.optional("sameBootCycle").get())
                : Policy.Freshness.DEFAULT.sameBootCycle();
        f.finish();
        return new Policy.Freshness(safe, sameBoot);
    }

    // ------------------------------------------------------------------ writing

    /** The pretty form: two-space indent, members in schema order, sets sorted, newline at the end. */
    public static String write(Policy p) {
        return encode(p, false) + "\n";
    }

    /** The canonical form the policy digest is computed over. */
    public static byte[] canonical(Policy p) {
        return encode(p, true).getBytes(StandardCharsets.UTF_8);
    }

    private static String encode(Policy p, boolean canonical) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setHtmlSafe(false);
            if (!canonical) {
                w.setIndent("  ");
            }
            w.beginObject();
            w.name("schemaVersion").value(Policy.SCHEMA_VERSION);
            w.name("id").value(p.id());
            if (p.description().isPresent()) {
                w.name("description").value(p.description().get());
            }
            w.name("algorithms").beginObject();
            writeBanks(w.name("pcrBanks"), p.algorithms().pcrBanks());
            writeBanks(w.name("signatureHashes"), p.algorithms().signatureHashes());
            w.endObject();
            w.name("pcrSelection").beginObject();
            for (Map.Entry<HashAlgorithm, SortedSet<Integer>> e : inBankOrder(p.pcrSelection().selected())) {
                w.name(e.getKey().bankName()).beginArray();
                for (int i : e.getValue()) {
                    w.value(i);
                }
                w.endArray();
            }
            w.endObject();
            if (!p.referenceValues().isEmpty()) {
                w.name("pcrs").beginObject();
                for (Map.Entry<Integer, Map<HashAlgorithm, SortedSet<String>>> e : p.referenceValues().entrySet()) {
                    w.name(e.getKey().toString()).beginObject();
                    for (Map.Entry<HashAlgorithm, SortedSet<String>> bank : inBankOrder(e.getValue())) {
                        writeStrings(w.name(bank.getKey().bankName()), bank.getValue());
                    }
                    w.endObject();
                }
                w.endObject();
            }
            if (p.eventLog().isPresent()) {
                Policy.EventLogRules r = p.eventLog().get();
                w.name("eventLog").beginObject();
                w.name("required").value(r.required());
                w.name("acceptedTypes").beginArray();
                for (long t : r.acceptedTypes()) {
                    w.value(EventType.fromValue(t).map(Enum::name).orElse(String.format("0x%08X", t)));
                }
                w.endArray();
                writeDigestsPerBank(w, "allowedDigests", r.allowedDigests());
                writeDigestsPerBank(w, "forbiddenDigests", r.forbiddenDigests());
                w.endObject();
            }
            if (p.ima().isPresent()) {
                Policy.ImaRules r = p.ima().get();
                w.name("ima").beginObject();
                w.name("pcr").value(r.pcr());
                w.name("checkBootAggregate").value(r.checkBootAggregate());
                w.name("allowlist").beginObject();
                for (Map.Entry<String, SortedSet<String>> e : r.allowlist().entrySet()) {
                    writeStrings(w.name(e.getKey()), e.getValue());
                }
                w.endObject();
                writeStrings(w.name("excludes"), r.excludes());
                w.endObject();
            }
            if (!p.ekTrust().trusted().isEmpty() || !p.ekTrust().intermediates().isEmpty()) {
                w.name("ekCertificates").beginObject();
                writeSources(w.name("trusted"), p.ekTrust().trusted(), canonical);
                writeSources(w.name("intermediates"), p.ekTrust().intermediates(), canonical);
                w.endObject();
            }
            if (p.vmLaunch().isPresent()) {
                Policy.VmLaunchRules r = p.vmLaunch().get();
                w.name("vmLaunch").beginObject();
                if (r.pcr().isPresent()) {
                    w.name("pcr").value(r.pcr().getAsInt());
                }
                w.name("allowed").beginObject();
                for (Map.Entry<String, SortedSet<String>> e : r.allowed().entrySet()) {
                    writeStrings(w.name(e.getKey()), e.getValue());
                }
                w.endObject();
                w.endObject();
            }
            w.name("freshness").beginObject();
            w.name("requireSafeClock").value(p.freshness().requireSafeClock());
            w.name("sameBootCycle").value(p.freshness().sameBootCycle());
            w.endObject();
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** Entries in {@link HashAlgorithm} order, so output never depends on how a map was built. */
    private static <V> List<Map.Entry<HashAlgorithm, V>> inBankOrder(Map<HashAlgorithm, V> m) {
        List<Map.Entry<HashAlgorithm, V>> out = new ArrayList<>();
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (m.containsKey(h)) {
                out.add(Map.entry(h, m.get(h)));
            }
        }
        return out;
    }

    private static void writeBanks(JsonWriter w, Set<HashAlgorithm> banks) throws IOException {
        w.beginArray();
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (banks.contains(h)) {
                w.value(h.bankName());
            }
        }
        w.endArray();
    }

    private static void writeStrings(JsonWriter w, Collection<String> values) throws IOException {
        w.beginArray();
        for (String s : values) {
            w.value(s);
        }
        w.endArray();
    }

    private static void writeDigestsPerBank(JsonWriter w, String name, Map<HashAlgorithm, SortedSet<String>> digests)
            throws IOException {
        w.name(name).beginObject();
        for (Map.Entry<HashAlgorithm, SortedSet<String>> e : inBankOrder(digests)) {
            writeStrings(w.name(e.getKey().bankName()), e.getValue());
        }
        w.endObject();
    }

    /**
     * Pretty form: file references as written, inline certificates as PEM. Canonical form: every
     * certificate by the SHA-256 of its DER, so the digest covers the content, not the layout.
     */
    private static void writeSources(JsonWriter w, List<Policy.CertificateSource> sources, boolean canonical)
            throws IOException {
        w.beginArray();
        if (canonical) {
            SortedSet<String> fingerprints = new TreeSet<>();
            for (Policy.CertificateSource s : sources) {
                for (X509Certificate c : s.certificates()) {
                    fingerprints.add(HexFormat.of().formatHex(HashAlgorithm.SHA256.digest(der(c))));
                }
            }
            for (String f : fingerprints) {
                w.beginObject().name("sha256").value(f).endObject();
            }
        } else {
            for (Policy.CertificateSource s : sources) {
                w.beginObject();
                if (s.file().isPresent()) {
                    w.name("file").value(s.file().get());
                } else {
                    w.name("pem").value(pem(s.certificates()));
                }
                w.endObject();
            }
        }
        w.endArray();
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a decoded certificate cannot be re-encoded", e);
        }
    }

    /** PEM text of certificates, 64 columns. */
    public static String pem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate c : certs) {
            sb.append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(der(c)))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        return sb.toString();
    }
}
