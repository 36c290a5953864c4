package org.vtpmmigrate.tpm;

/**
 * An ECC NIST P-256 decryption key under the storage root key, usable only through a policy
 * session that proves the PCRs hold {@link #boundValues()}: attributes fixedTPM, fixedParent,
 * sensitiveDataOrigin and decrypt, without userWithAuth.
 */
public interface BoundDecryptionKey extends TpmKeyHandle {

    /** The PCR values the key's policy requires. */
    PcrValues boundValues();

    /** The shape of the key's authorization policy. */
    BoundKeyPolicy policy();

    /** The key's authPolicy digest (SHA-256), as it is in its public area. */
    byte[] authPolicy();
}
