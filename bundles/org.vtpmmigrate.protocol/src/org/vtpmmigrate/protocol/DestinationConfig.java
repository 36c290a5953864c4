package org.vtpmmigrate.protocol;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/** Everything a destination session needs for one incoming run. Build with {@link #builder()}. */
public final class DestinationConfig {
    private final PlatformAttestor attestor;
    private final MigrationAdmission admission;
    private final List<CipherSuite> allowedSuites;
    private final NonceSource nonces;
    private final Timeouts timeouts;
    private final Clock clock;

    private DestinationConfig(Builder b) {
        this.attestor = Objects.requireNonNull(b.attestor, "attestor");
        this.admission = Objects.requireNonNull(b.admission, "admission");
        if (b.allowedSuites.isEmpty()) {
            throw new IllegalArgumentException("allowedSuites must not be empty");
        }
        this.allowedSuites = List.copyOf(b.allowedSuites);
        this.nonces = b.nonces != null ? b.nonces : new NonceSource(new SecureRandom());
        this.timeouts = b.timeouts;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public PlatformAttestor attestor() {
        return attestor;
    }

    public MigrationAdmission admission() {
        return admission;
    }

    /** Suites this host accepts; it picks the source's most preferred one among them. */
    public List<CipherSuite> allowedSuites() {
        return allowedSuites;
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

    /** Builder; attestor and admission are required. */
    public static final class Builder {
        private PlatformAttestor attestor;
        private MigrationAdmission admission;
        private List<CipherSuite> allowedSuites = List.of(CipherSuite.ECDH_P256_HKDF_SHA256_AES_256_GCM);
        private NonceSource nonces;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder attestor(PlatformAttestor attestor) {
            this.attestor = attestor;
            return this;
        }

        public Builder admission(MigrationAdmission admission) {
            this.admission = admission;
            return this;
        }

        public Builder allowedSuites(List<CipherSuite> suites) {
            this.allowedSuites = Objects.requireNonNull(suites, "suites");
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

        public DestinationConfig build() {
            return new DestinationConfig(this);
        }
    }
}
