package org.vtpmmigrate.attest.policy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.policy.internal.Digests;
import org.vtpmmigrate.attest.policy.internal.PolicyCodec;
import org.vtpmmigrate.attest.tpm2.PcrSelection;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;

/**
 * An integrity policy: what a host's evidence must show before the host is trusted. Immutable;
 * build one with {@link #builder(String)}, read and write it with {@link PolicyJson}, evaluate
 * it with {@link PolicyEvaluator}. The parts:
 * <ul>
 * <li>{@link #pcrSelection()}: the PCRs every quote must cover;</li>
 * <li>{@link #referenceValues()}: allowed values per PCR and bank (one or several);</li>
 * <li>{@link #eventLog()}: the boot event log: accepted event types (a log can claim any type,
 * the type is not measured), allowed and forbidden event digests per bank;</li>
 * <li>{@link #ima()}: the IMA allowlist (file path to allowed digests, plus excludes);</li>
 * <li>{@link #ekTrust()}: the CA certificates an EK certificate must chain to;</li>
 * <li>{@link #algorithms()}: accepted PCR banks and quote signature hashes (SHA-1 refused by
 * default: downgrade protection);</li>
 * <li>{@link #vmLaunch()}: the VM launch allowlist (measurement name to allowed SHA-256
 * digests);</li>
 * <li>{@link #freshness()}: clock and reset checks on the quote.</li>
 * </ul>
 * A policy is named in the protocol by its {@link #id()} and {@link #digest()}.
 */
public final class Policy {
    /** The schema version this code reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** Accepted algorithms. */
    public record Algorithms(Set<HashAlgorithm> pcrBanks, Set<HashAlgorithm> signatureHashes) {
        /** SHA-256 and stronger for both; SHA-1 evidence is refused as a downgrade. */
        public static final Algorithms DEFAULT = new Algorithms(
                EnumSet.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384, HashAlgorithm.SHA512),
                QuoteVerifier.DEFAULT_SIGNATURE_HASHES);

        public Algorithms {
            if (pcrBanks.isEmpty() || signatureHashes.isEmpty()) {
                throw new IllegalArgumentException("at least one PCR bank and one signature hash must be accepted");
            }
            pcrBanks = Collections.unmodifiableSet(EnumSet.copyOf(pcrBanks));
            signatureHashes = Collections.unmodifiableSet(EnumSet.copyOf(signatureHashes));
        }
    }

    /**
     * Rules for the TCG boot event log.
     *
     * @param required         the evidence must include the log
     * @param acceptedTypes    event types (UINT32 values) accepted in extended events; any other
     *                         type is refused
     * @param allowedDigests   per bank: when present, every extended event's digest of that bank
     *                         must be one of these
     * @param forbiddenDigests per bank: no extended event may carry one of these
     */
    public record EventLogRules(boolean required, SortedSet<Long> acceptedTypes,
            Map<HashAlgorithm, SortedSet<String>> allowedDigests, Map<HashAlgorithm, SortedSet<String>> forbiddenDigests) {
        public EventLogRules {
            for (long t : acceptedTypes) {
                if (t < 0 || t > 0xFFFFFFFFL) {
                    throw new IllegalArgumentException("event type " + t + " is not a UINT32");
                }
            }
            acceptedTypes = Collections.unmodifiableSortedSet(new TreeSet<>(acceptedTypes));
            allowedDigests = digestsPerBank(allowedDigests, "allowedDigests");
            forbiddenDigests = digestsPerBank(forbiddenDigests, "forbiddenDigests");
        }

        /** Every type {@link EventType} names; unknown types are refused. */
        public static SortedSet<Long> knownTypes() {
            SortedSet<Long> s = new TreeSet<>();
            for (EventType t : EventType.values()) {
                s.add(t.value());
            }
            return Collections.unmodifiableSortedSet(s);
        }
    }

    /**
     * Rules for the IMA measurement list.
     *
     * @param pcr                the PCR IMA extends (10 unless the kernel is configured otherwise)
     * @param checkBootAggregate the boot_aggregate entry must match the quoted PCRs 0-7 (or 0-9)
     * @param allowlist          file path (or ima-buf name) to allowed digests, {@code bank:hex}
     *                           or bare hex (any algorithm of that size)
     * @param excludes           regular expressions (java.util.regex) matched from the start of
     *                           the path, as Keylime's excludes; a matching entry is not checked
     */
    public record ImaRules(int pcr, boolean checkBootAggregate, SortedMap<String, SortedSet<String>> allowlist,
            List<String> excludes) {
        public static final int DEFAULT_PCR = 10;

        public ImaRules {
            checkPcrIndex(pcr, "ima.pcr");
            SortedMap<String, SortedSet<String>> copy = new TreeMap<>();
            allowlist.forEach((path, digests) -> {
                if (path.isEmpty()) {
                    throw new IllegalArgumentException("ima.allowlist: empty path");
                }
                SortedSet<String> d = new TreeSet<>();
                for (String s : digests) {
                    d.add(Digests.normalizeImaDigest(s));
                }
                copy.put(path, Collections.unmodifiableSortedSet(d));
            });
            allowlist = Collections.unmodifiableSortedMap(copy);
            for (String e : excludes) {
                try {
                    Pattern.compile(e);
                } catch (PatternSyntaxException x) {
                    throw new IllegalArgumentException("ima.excludes: '" + e + "' is not a regular expression: "
                            + x.getDescription());
                }
            }
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * Certificates from one place: a file (relative paths are resolved against the policy
     * file's directory) or inline PEM when {@code file} is empty.
     */
    public record CertificateSource(Optional<String> file, List<X509Certificate> certificates) {
        public CertificateSource {
            Objects.requireNonNull(file, "file");
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("a certificate source holds at least one certificate");
            }
            certificates = List.copyOf(certificates);
        }
    }

    /** The CA certificates EK certificates must chain to, and intermediates that may link them. */
    public record EkTrust(List<CertificateSource> trusted, List<CertificateSource> intermediates) {
        public static final EkTrust NONE = new EkTrust(List.of(), List.of());

        public EkTrust {
            trusted = List.copyOf(trusted);
            intermediates = List.copyOf(intermediates);
        }

        public List<X509Certificate> trustedCertificates() {
            return flatten(trusted);
        }

        public List<X509Certificate> intermediateCertificates() {
            return flatten(intermediates);
        }

        private static List<X509Certificate> flatten(List<CertificateSource> sources) {
            List<X509Certificate> out = new ArrayList<>();
            sources.forEach(s -> out.addAll(s.certificates()));
            return Collections.unmodifiableList(out);
        }
    }

    /**
     * The VM launch allowlist.
     *
     * @param pcr     the SHA-256 PCR the host extends launch events into; when present, the
     *                launch log must replay to its quoted value
     * @param allowed measurement name (firmware, kernel, initrd, disk-image, configuration) to
     *                allowed SHA-256 content digests; every name listed must be measured, and
     *                nothing else may be
     */
    public record VmLaunchRules(OptionalInt pcr, SortedMap<String, SortedSet<String>> allowed) {
        public VmLaunchRules {
            Objects.requireNonNull(pcr, "pcr");
            pcr.ifPresent(p -> checkPcrIndex(p, "vmLaunch.pcr"));
            SortedMap<String, SortedSet<String>> copy = new TreeMap<>();
            allowed.forEach((name, digests) -> {
                if (!LaunchLog.isValidName(name)) {
                    throw new IllegalArgumentException("vmLaunch.allowed: '" + name + "' is not a measurement name");
                }
                for (String d : digests) {
                    Digests.requireHex(d, HashAlgorithm.SHA256, "vmLaunch.allowed." + name);
                }
                copy.put(name, Collections.unmodifiableSortedSet(new TreeSet<>(digests)));
            });
            allowed = Collections.unmodifiableSortedMap(copy);
        }
    }

    /**
     * Checks on the quote's clock.
     *
     * @param requireSafeClock the TPM must report its clock as safe (not rolled back)
     * @param sameBootCycle    when the evidence carries an earlier clock reading of the same TPM
     *                         (from enrolment or an earlier quote), no reboot or resume may lie
     *                         between them and the clock may not run backwards
     */
    public record Freshness(boolean requireSafeClock, boolean sameBootCycle) {
        public static final Freshness DEFAULT = new Freshness(true, true);
    }

    /**
     * A policy that contradicts itself (a reference value for a PCR outside the selection, a
     * bank that is not accepted), with the JSON path of the part at fault.
     */
    public static final class InvalidPolicyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final List<String> path;
        private final String problem;

        InvalidPolicyException(List<String> path, String problem) {
            super(String.join(".", path) + ": " + problem);
            this.path = List.copyOf(path);
            this.problem = problem;
        }

        /** Member names and array indices from the document root, e.g. [pcrs, 7, sha256]. */
        public List<String> path() {
            return path;
        }

        public String problem() {
            return problem;
        }
    }

    private final String id;
    private final Optional<String> description;
    private final Algorithms algorithms;
    private final PcrSelection pcrSelection;
    private final SortedMap<Integer, Map<HashAlgorithm, SortedSet<String>>> referenceValues;
    private final Optional<EventLogRules> eventLog;
    private final Optional<ImaRules> ima;
    private final EkTrust ekTrust;
    private final Optional<VmLaunchRules> vmLaunch;
    private final Freshness freshness;
    private volatile byte[] digest;

    private Policy(Builder b) {
        this.id = b.id;
        this.description = b.description;
        this.algorithms = b.algorithms;
        this.pcrSelection = b.pcrSelection;
        SortedMap<Integer, Map<HashAlgorithm, SortedSet<String>>> refs = new TreeMap<>();
        b.referenceValues.forEach((pcr, banks) -> {
            Map<HashAlgorithm, SortedSet<String>> m = new EnumMap<>(HashAlgorithm.class);
            banks.forEach((bank, values) -> m.put(bank, Collections.unmodifiableSortedSet(new TreeSet<>(values))));
            refs.put(pcr, Collections.unmodifiableMap(m));
        });
        this.referenceValues = Collections.unmodifiableSortedMap(refs);
        this.eventLog = b.eventLog;
        this.ima = b.ima;
        this.ekTrust = b.ekTrust;
        this.vmLaunch = b.vmLaunch;
        this.freshness = b.freshness;
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** Whether {@code id} can name a policy: 1-128 of A-Z a-z 0-9 . _ : -, starting with a letter or digit. */
    public static boolean isValidId(String id) {
        return ID.matcher(id).matches();
    }

    /** A builder holding everything this policy holds, to change a part and build again. */
    public Builder toBuilder() {
        Builder b = new Builder(id);
        b.description = description;
        b.algorithms = algorithms;
        b.pcrSelection = pcrSelection;
        referenceValues.forEach((pcr, banks) -> banks.forEach((bank, values) -> b.referenceValues(bank, pcr, values)));
        b.eventLog = eventLog;
        b.ima = ima;
        b.ekTrust = ekTrust;
        b.vmLaunch = vmLaunch;
        b.freshness = freshness;
        return b;
    }

    /** The name that, with {@link #digest()}, identifies the policy in the protocol and the audit log. */
    public String id() {
        return id;
    }

    public Optional<String> description() {
        return description;
    }

    public Algorithms algorithms() {
        return algorithms;
    }

    /** The PCRs every quote must cover (it may cover more). */
    public PcrSelection pcrSelection() {
        return pcrSelection;
    }

    /** PCR index to bank to allowed values (lowercase hex). */
    public SortedMap<Integer, Map<HashAlgorithm, SortedSet<String>>> referenceValues() {
        return referenceValues;
    }

    public Optional<EventLogRules> eventLog() {
        return eventLog;
    }

    public Optional<ImaRules> ima() {
        return ima;
    }

    public EkTrust ekTrust() {
        return ekTrust;
    }

    public Optional<VmLaunchRules> vmLaunch() {
        return vmLaunch;
    }

    public Freshness freshness() {
        return freshness;
    }

    /**
     * SHA-256 over the policy's canonical serialization (compact JSON in schema order, sets
     * sorted, certificates by the SHA-256 of their DER whether inline or in a file): equal
     * policies have equal digests however their files are laid out.
     */
    public byte[] digest() {
        byte[] d = digest;
        if (d == null) {
            d = HashAlgorithm.SHA256.digest(PolicyCodec.canonical(this));
            digest = d;
        }
        return d.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    /** {@code id@sha256:hex}: how verdicts and the audit log name the exact policy. */
    public String reference() {
        return id + "@sha256:" + digestHex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Policy p && java.security.MessageDigest.isEqual(p.digest(), digest());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(digest());
    }

    @Override
    public String toString() {
        return "Policy[" + reference() + "]";
    }

    private static Map<HashAlgorithm, SortedSet<String>> digestsPerBank(Map<HashAlgorithm, SortedSet<String>> in,
            String field) {
        Map<HashAlgorithm, SortedSet<String>> out = new EnumMap<>(HashAlgorithm.class);
        in.forEach((bank, values) -> {
            for (String v : values) {
                Digests.requireHex(v, bank, "eventLog." + field + "." + bank.bankName());
            }
            out.put(bank, Collections.unmodifiableSortedSet(new TreeSet<>(values)));
        });
        return Collections.unmodifiableMap(out);
    }

    private static void checkPcrIndex(int pcr, String field) {
        if (pcr < 0 || pcr >= PcrValues.PCR_COUNT) {
            throw new IllegalArgumentException(field + ": PCR " + pcr + " is outside 0.." + (PcrValues.PCR_COUNT - 1));
        }
    }

    /** Collects the parts; {@link #build()} checks that they agree with each other. */
    public static final class Builder {
        private final String id;
        private Optional<String> description = Optional.empty();
        private Algorithms algorithms = Algorithms.DEFAULT;
        private PcrSelection pcrSelection;
        private final SortedMap<Integer, Map<HashAlgorithm, SortedSet<String>>> referenceValues = new TreeMap<>();
        private Optional<EventLogRules> eventLog = Optional.empty();
        private Optional<ImaRules> ima = Optional.empty();
        private EkTrust ekTrust = EkTrust.NONE;
        private Optional<VmLaunchRules> vmLaunch = Optional.empty();
        private Freshness freshness = Freshness.DEFAULT;

        private Builder(String id) {
            this.id = Objects.requireNonNull(id, "id");
        }

        public Builder description(String text) {
            this.description = Optional.ofNullable(text);
            return this;
        }

        public Builder algorithms(Algorithms a) {
            this.algorithms = Objects.requireNonNull(a, "algorithms");
            return this;
        }

        public Builder pcrSelection(PcrSelection selection) {
            this.pcrSelection = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /** Allows {@code values} (lowercase hex, added to any already allowed) for one PCR of one bank. */
        public Builder referenceValues(HashAlgorithm bank, int pcr, java.util.Collection<String> values) {
            checkPcrIndex(pcr, "pcrs");
            if (values.isEmpty()) {
                throw new IllegalArgumentException("pcrs." + pcr + "." + bank.bankName() + ": no allowed value");
            }
            for (String v : values) {
                Digests.requireHex(v, bank, "pcrs." + pcr + "." + bank.bankName());
            }
            referenceValues.computeIfAbsent(pcr, p -> new EnumMap<>(HashAlgorithm.class))
                    .computeIfAbsent(bank, x -> new TreeSet<>()).addAll(values);
            return this;
        }

        /** Drops every reference value of one PCR (all banks). */
        public Builder clearReferenceValues(int pcr) {
            referenceValues.remove(pcr);
            return this;
        }

        public Builder eventLog(EventLogRules rules) {
            this.eventLog = Optional.ofNullable(rules);
            return this;
        }

        public Builder ima(ImaRules rules) {
            this.ima = Optional.ofNullable(rules);
            return this;
        }

        public Builder ekTrust(EkTrust trust) {
            this.ekTrust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        public Builder vmLaunch(VmLaunchRules rules) {
            this.vmLaunch = Optional.ofNullable(rules);
            return this;
        }

        public Builder freshness(Freshness f) {
            this.freshness = Objects.requireNonNull(f, "freshness");
            return this;
        }

        /**
         * @throws InvalidPolicyException when the parts contradict each other, naming the part
         */
        public Policy build() {
            if (!isValidId(id)) {
                throw new InvalidPolicyException(List.of("id"), "'" + id + "' is not a policy id (1-128 of A-Z a-z"
                        + " 0-9 . _ : -, starting with a letter or digit)");
            }
            if (pcrSelection == null || pcrSelection.size() == 0) {
                throw new InvalidPolicyException(List.of("pcrSelection"), "selects no PCR; a quote over nothing"
                        + " proves nothing");
            }
            for (HashAlgorithm bank : pcrSelection.selected().keySet()) {
                if (!algorithms.pcrBanks().contains(bank)) {
                    throw new InvalidPolicyException(List.of("pcrSelection", bank.bankName()), "bank "
                            + bank.bankName() + " is not among the accepted algorithms.pcrBanks "
                            + names(algorithms.pcrBanks()));
                }
            }
            referenceValues.forEach((pcr, banks) -> banks.keySet().forEach(bank -> {
                if (!selects(bank, pcr)) {
                    throw new InvalidPolicyException(List.of("pcrs", pcr.toString(), bank.bankName()), "PCR " + pcr
                            + " of bank " + bank.bankName() + " has reference values but is not in pcrSelection,"
                            + " so no quote would cover it");
                }
            }));
            eventLog.ifPresent(rules -> {
                checkAcceptedBanks(rules.allowedDigests(), "allowedDigests");
                checkAcceptedBanks(rules.forbiddenDigests(), "forbiddenDigests");
            });
            ima.ifPresent(rules -> {
                boolean covered = algorithms.pcrBanks().stream().anyMatch(bank -> selects(bank, rules.pcr()));
                if (!covered) {
                    throw new InvalidPolicyException(List.of("ima", "pcr"), "IMA PCR " + rules.pcr()
                            + " is not in pcrSelection in any accepted bank, so no quote would cover the IMA log");
                }
            });
            vmLaunch.ifPresent(rules -> rules.pcr().ifPresent(pcr -> {
                if (!selects(HashAlgorithm.SHA256, pcr)) {
                    throw new InvalidPolicyException(List.of("vmLaunch", "pcr"), "launch PCR " + pcr
                            + " is not in pcrSelection.sha256, so no quote would cover the launch log");
                }
            }));
            return new Policy(this);
        }

        private boolean selects(HashAlgorithm bank, int pcr) {
            SortedSet<Integer> s = pcrSelection.selected().get(bank);
            return s != null && s.contains(pcr);
        }

        private void checkAcceptedBanks(Map<HashAlgorithm, SortedSet<String>> digests, String field) {
            for (HashAlgorithm bank : digests.keySet()) {
                if (!algorithms.pcrBanks().contains(bank)) {
                    throw new InvalidPolicyException(List.of("eventLog", field, bank.bankName()), "bank "
                            + bank.bankName() + " is not among the accepted algorithms.pcrBanks "
                            + names(algorithms.pcrBanks()));
                }
            }
        }

        private static String names(Set<HashAlgorithm> banks) {
            List<String> n = new ArrayList<>();
            banks.forEach(b -> n.add(b.bankName()));
            return n.toString();
        }
    }
}
