package org.vtpmmigrate.tpm;

/**
 * A restricted signing key in the endorsement hierarchy: signs quotes and certifications of keys
 * created by the same TPM. It is a primary key from a fixed template, so the same TPM gives the
 * same key every time it is created (it survives restarts without storing anything).
 */
public interface AttestationKey extends TpmKeyHandle {

    /** Key type and signature scheme. */
    AkAlgorithm algorithm();
}
