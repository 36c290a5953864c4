package org.vtpmmigrate.attest.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.vtpmmigrate.attest.HashAlgorithm;

/**
 * One problem a policy evaluation found: how bad, what kind, where, the expected and actual
 * values, a sentence an administrator understands, and the technical detail.
 *
 * @param severity ERROR makes the verdict untrusted; WARNING is reported and does not
 * @param category what kind of check found it
 * @param location what it is about (PCR, event, IMA entry, file, launch measurement)
 * @param expected what the policy or the protocol required; empty when not applicable
 * @param actual   what the evidence showed; empty when not applicable
 * @param message  plain-language sentence
 * @param detail   technical detail (values, offsets, lists of events)
 */
public record Finding(Severity severity, Category category, Location location, String expected, String actual,
        String message, String detail) {

    public enum Severity {
        /** The host cannot be trusted. */
        ERROR,
        /** Worth knowing; does not change the verdict. */
        WARNING
    }

    /** The kind of check; each names the part of the evidence it is about. */
    public enum Category {
        /** The quote's signature, structure or attestation key. */
        QUOTE_SIGNATURE("quote signature"),
        /** The quote does not answer the verifier's nonce. */
        NONCE("nonce"),
        /** The claimed PCR values are not the ones the quote covers. */
        QUOTE_PCRS("quoted PCR values"),
        /** The quote does not cover every PCR the policy requires. */
        PCR_SELECTION("PCR selection"),
        /** An algorithm the policy does not accept (downgrade). */
        ALGORITHM("algorithm"),
        /** A PCR value not among the policy's reference values. */
        PCR_VALUE("PCR reference value"),
        /** The boot event log: replay against the quote, coverage, structure. */
        EVENT_LOG("boot event log"),
        /** An event type the policy does not accept. */
        EVENT_TYPE("event type"),
        /** An event digest that is forbidden or not allowed. */
        EVENT_DIGEST("event digest"),
        /** The IMA log: replay against the quote, coverage, template hashes. */
        IMA_LOG("IMA log"),
        /** A measured file not on the IMA allowlist, or with a digest not allowed. */
        IMA_FILE("IMA file"),
        /** The IMA boot_aggregate does not match the quoted boot PCRs. */
        BOOT_AGGREGATE("IMA boot aggregate"),
        /** A VM launch measurement not on the allowlist, missing, or not covered by the quote. */
        VM_LAUNCH("VM launch"),
        /** The EK certificate does not chain to a trusted CA, or is not the TPM's. */
        EK_CERTIFICATE("EK certificate"),
        /** The attestation key is not shown to belong to the TPM of the EK. */
        ATTESTATION_KEY("attestation key"),
        /** The TPM clock or reset counters. */
        FRESHNESS("freshness"),
        /** A piece of evidence the policy needs is missing. */
        EVIDENCE("evidence");

        private final String title;

        Category(String title) {
            this.title = title;
        }

        /** Short lowercase title for display. */
        public String title() {
            return title;
        }
    }

    /**
     * Where: a subject in words, and where known the bank, the PCR, the index of the log entry
     * (event index in the boot log, entry index in the IMA log) and the file path.
     */
    public record Location(String subject, Optional<HashAlgorithm> bank, OptionalInt pcr, OptionalInt entryIndex,
            Optional<String> file) {
        public Location {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(bank, "bank");
            Objects.requireNonNull(pcr, "pcr");
            Objects.requireNonNull(entryIndex, "entryIndex");
            Objects.requireNonNull(file, "file");
        }

        public static Location of(String subject) {
            return new Location(subject, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
        }

        public static Location pcr(HashAlgorithm bank, int pcr) {
            return new Location("PCR " + pcr + " (" + bank.bankName() + ")", Optional.of(bank), OptionalInt.of(pcr),
                    OptionalInt.empty(), Optional.empty());
        }
    }

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(detail, "detail");
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** One line: severity, category, subject, message. */
    @Override
    public String toString() {
        return severity + " " + category + " " + location.subject() + ": " + message;
    }
}
