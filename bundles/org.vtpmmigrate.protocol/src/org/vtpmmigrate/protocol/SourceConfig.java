package org.vtpmmigrate.protocol;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.MigrationRequest;
import org.vtpmmigrate.protocol.wire.PcrSelection;

/** Everything a source session needs for one run. Build with {@link #builder()}. */
public final class SourceConfig {
    private final Bytes migrationId;
    private final String vmId;
    private final String policyId;
    private final Bytes policyDigest;
    private final long vtpmEpoch;
    private final List<CipherSuite> offeredSuites;
    private final PcrSelection destinationSelection;
    private final PlatformAttestor attestor;
    private final EvidenceVerifier verifier;
    private final NonceSource nonces;
    private final Timeouts timeouts;
    private final Clock clock;
    private final SecureRandom random;

    private SourceConfig(Builder b) {
        this.random = b.random != null ? b.random : new SecureRandom();
        this.migrationId = b.migrationId != null ? b.migrationId : randomId(random);
        this.vmId = Objects.requireNonNull(b.vmId, "vmId");
        this.policyId = Objects.requireNonNull(b.policyId, "policyId");
        this.policyDigest = Objects.requireNonNull(b.policyDigest, "policyDigest");
        this.vtpmEpoch = b.vtpmEpoch;
        this.offeredSuites = List.copyOf(b.offeredSuites);
        this.destinationSelection = Objects.requireNonNull(b.destinationSelection, "destinationSelection");
        this.attestor = Objects.requireNonNull(b.attestor, "attestor");
        this.verifier = Objects.requireNonNull(b.verifier, "verifier");
        this.nonces = b.nonces != null ? b.nonces : new NonceSource(random);
        this.timeouts = b.timeouts;
        this.clock = b.clock;
        // fail on a bad id or an empty offer here, not when the first message is built
        request();
    }

    private static Bytes randomId(SecureRandom random) {
        byte[] id = new byte[Limits.MIGRATION_ID_LENGTH];
        random.nextBytes(id);
        return Bytes.of(id);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The request this configuration sends. */
    public MigrationRequest request() {
        return new MigrationRequest(migrationId, vmId, policyId, policyDigest, vtpmEpoch,
                offeredSuites.stream().map(CipherSuite::id).toList());
    }

    public Bytes migrationId() {
        return migrationId;
    }

    /** Suites offered, in order of preference; also the suites the source accepts. */
    public List<CipherSuite> offeredSuites() {
        return offeredSuites;
    }

    /** The PCRs the destination must quote (from the policy). */
    public PcrSelection destinationSelection() {
        return destinationSelection;
    }

    public PlatformAttestor attestor() {
        return attestor;
    }

    /** Verifies the destination against the policy. */
    public EvidenceVerifier verifier() {
        return verifier;
    }

    public NonceSource nonces() {
        return nonces;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public Clock clock() {
        return clock;
    }

    /** For the ephemeral ECDH key (and the migration id when none is given). */
    public SecureRandom random() {
        return random;
    }

    /** Builder; vmId, policyId, policyDigest, destinationSelection, attestor and verifier are required. */
    public static final class Builder {
        private Bytes migrationId;
        private String vmId;
        private String policyId;
        private Bytes policyDigest;
        private long vtpmEpoch;
        private List<CipherSuite> offeredSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM);
        private PcrSelection destinationSelection;
        private PlatformAttestor attestor;
        private EvidenceVerifier verifier;
        private NonceSource nonces;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random;

        private Builder() {
        }

        /** 16 bytes; random when not set. */
        public Builder migrationId(Bytes id) {
            this.migrationId = id;
            return this;
        }

        public Builder vm(String vmId, long vtpmEpoch) {
            this.vmId = vmId;
            this.vtpmEpoch = vtpmEpoch;
            return this;
        }

        public Builder policy(String policyId, Bytes policyDigest) {
            this.policyId = policyId;
            this.policyDigest = policyDigest;
            return this;
        }

        public Builder offeredSuites(List<CipherSuite> suites) {
            this.offeredSuites = Objects.requireNonNull(suites, "suites");
            return this;
        }

        public Builder destinationSelection(PcrSelection selection) {
            this.destinationSelection = selection;
            return this;
        }

        public Builder attestor(PlatformAttestor attestor) {
            this.attestor = attestor;
            return this;
        }

        public Builder verifier(EvidenceVerifier verifier) {
            this.verifier = verifier;
            return this;
        }

        /** The host's shared nonce source; a private one when not set. */
        public Builder nonces(NonceSource nonces) {
            this.nonces = nonces;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = random;
            return this;
        }

        public SourceConfig build() {
            return new SourceConfig(this);
        }
    }
}
