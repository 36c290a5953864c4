package org.vtpmmigrate.audit;

/** The outcome of an attestation check. */
public enum Verdict {
    TRUSTED, REFUSED
}
