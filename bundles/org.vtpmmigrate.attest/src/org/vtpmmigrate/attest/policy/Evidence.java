package org.vtpmmigrate.attest.policy;

import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.tpm2.ClockInfo;
import org.vtpmmigrate.attest.tpm2.TpmPublic;

/**
 * What a host presents to be judged: a TPM2_Quote with the PCR values it claims and the nonce
 * the verifier sent, and optionally its boot event log, IMA log, VM launch log, EK certificate
 * and an earlier clock reading of the same TPM. Parsed, not yet trusted: {@link PolicyEvaluator}
 * verifies the quote and judges everything against a {@link Policy}. Immutable.
 */
public final class Evidence {

    /** A quote as the TPM produced it, with the attestation key and the verifier's nonce. */
    public static final class Quote {
        private final PublicKey akKey;
        private final TpmPublic akPublic;
        private final byte[] attest;
        private final byte[] signature;
        private final PcrValues claimedPcrs;
        private final byte[] nonce;

        private Quote(PublicKey akKey, TpmPublic akPublic, byte[] attest, byte[] signature, PcrValues claimedPcrs,
                byte[] nonce) {
            this.akKey = Objects.requireNonNull(akKey, "akKey");
            this.akPublic = akPublic;
            this.attest = attest.clone();
            this.signature = signature.clone();
            this.claimedPcrs = Objects.requireNonNull(claimedPcrs, "claimedPcrs");
            this.nonce = nonce.clone();
        }

        /**
         * A quote whose AK is known only as a public key: its object attributes (restricted,
         * fixedTPM signing key) cannot be checked.
         */
        public static Quote of(PublicKey ak, byte[] attest, byte[] signature, PcrValues claimedPcrs, byte[] nonce) {
            return new Quote(ak, null, attest, signature, claimedPcrs, nonce);
        }

        /** A quote whose AK is given as its TPM public area, so its attributes are checked too. */
        public static Quote of(TpmPublic ak, byte[] attest, byte[] signature, PcrValues claimedPcrs, byte[] nonce)
                throws InvalidKeyException {
            return new Quote(ak.toPublicKey(), ak, attest, signature, claimedPcrs, nonce);
        }

        public PublicKey akKey() {
            return akKey;
        }

        public Optional<TpmPublic> akPublic() {
            return Optional.ofNullable(akPublic);
        }

        /** The TPMS_ATTEST bytes the TPM signed. */
        public byte[] attest() {
            return attest.clone();
        }

        /** The TPMT_SIGNATURE. */
        public byte[] signature() {
            return signature.clone();
        }

        /** The PCR values the host claims the quote covers. */
        public PcrValues claimedPcrs() {
            return claimedPcrs;
        }

        /** The qualifying data the verifier sent. */
        public byte[] nonce() {
            return nonce.clone();
        }
    }

    private final Quote quote;
    private final EventLog eventLog;
    private final ImaLog imaLog;
    private final LaunchLog launchLog;
    private final X509Certificate ekCertificate;
    private final TpmPublic ekPublic;
    private final List<X509Certificate> ekIntermediates;
    private final ClockInfo previousClock;
    private final boolean akBoundToEk;

    private Evidence(Builder b) {
        this.quote = b.quote;
        this.eventLog = b.eventLog;
        this.imaLog = b.imaLog;
        this.launchLog = b.launchLog;
        this.ekCertificate = b.ekCertificate;
        this.ekPublic = b.ekPublic;
        this.ekIntermediates = List.copyOf(b.ekIntermediates);
        this.previousClock = b.previousClock;
        this.akBoundToEk = b.akBoundToEk;
    }

    public static Builder builder(Quote quote) {
        return new Builder(quote);
    }

    public Quote quote() {
        return quote;
    }

    public Optional<EventLog> eventLog() {
        return Optional.ofNullable(eventLog);
    }

    public Optional<ImaLog> imaLog() {
        return Optional.ofNullable(imaLog);
    }

    public Optional<LaunchLog> launchLog() {
        return Optional.ofNullable(launchLog);
    }

    public Optional<X509Certificate> ekCertificate() {
        return Optional.ofNullable(ekCertificate);
    }

    /** The EK public area, which the EK certificate must certify. */
    public Optional<TpmPublic> ekPublic() {
        return Optional.ofNullable(ekPublic);
    }

    /** CA certificates the host supplied to link its EK certificate to a trusted CA (not trusted themselves). */
    public List<X509Certificate> ekIntermediates() {
        return ekIntermediates;
    }

    /** An earlier clock reading of the same TPM (enrolment, an earlier quote), for freshness. */
    public Optional<ClockInfo> previousClock() {
        return Optional.ofNullable(previousClock);
    }

    /**
     * Whether the caller has proven the AK lives in the TPM that owns the EK (credential
     * activation at enrolment). Without it, a valid EK certificate says nothing about the AK.
     */
    public boolean akBoundToEk() {
        return akBoundToEk;
    }

    public static final class Builder {
        private final Quote quote;
        private EventLog eventLog;
        private ImaLog imaLog;
        private LaunchLog launchLog;
        private X509Certificate ekCertificate;
        private TpmPublic ekPublic;
        private List<X509Certificate> ekIntermediates = List.of();
        private ClockInfo previousClock;
        private boolean akBoundToEk;

        private Builder(Quote quote) {
            this.quote = Objects.requireNonNull(quote, "quote");
        }

        public Builder eventLog(EventLog log) {
            this.eventLog = log;
            return this;
        }

        public Builder imaLog(ImaLog log) {
            this.imaLog = log;
            return this;
        }

        public Builder launchLog(LaunchLog log) {
            this.launchLog = log;
            return this;
        }

        /**
         * @param certificate   the EK certificate (from the TPM's NV index)
         * @param ekPublic      the EK public area the certificate must certify
         * @param intermediates CA certificates the host supplies; may be empty
         */
        public Builder ek(X509Certificate certificate, TpmPublic ekPublic, List<X509Certificate> intermediates) {
            this.ekCertificate = Objects.requireNonNull(certificate, "certificate");
            this.ekPublic = Objects.requireNonNull(ekPublic, "ekPublic");
            this.ekIntermediates = List.copyOf(intermediates);
            return this;
        }

        public Builder previousClock(ClockInfo clock) {
            this.previousClock = clock;
            return this;
        }

        /** Declares the AK proven to belong to the EK's TPM (credential activation passed). */
        public Builder akBoundToEk(boolean bound) {
            this.akBoundToEk = bound;
            return this;
        }

        public Evidence build() {
            return new Evidence(this);
        }
    }
}
