package org.vtpmmigrate.tpm;

import java.security.spec.ECPoint;
import java.util.Map;
import java.util.Optional;

/**
 * An open connection to a TPM. Operations are serialised (one TPM command at a time); handles
 * obtained here are valid only on this connection. {@link #close()} flushes every key and session
 * still loaded (swtpm has no resource manager: leaked objects would fill the TPM).
 * <p>
 * Every method throws {@link TpmException} when the TPM refuses or cannot be reached, and
 * {@link IllegalArgumentException} for arguments outside the TPM's limits (before anything is
 * sent). Using a closed connection or a closed key throws {@link IllegalStateException}.
 */
public interface TpmConnection extends AutoCloseable {

    /** Maximum size of qualifying data (nonce) for quote and certify: sizeof(TPMT_HA) for SHA-512. */
    int MAX_QUALIFYING_DATA = 66;

    /** Maximum size of data for {@link #pcrEvent(int, byte[])}: TPM2B_EVENT. */
    int MAX_EVENT_DATA = 1024;

    /** Maximum size of data for {@link #sign(AttestationKey, byte[])}: 1 MiB. */
    int MAX_SIGNED_DATA = 1 << 20;

    /** The TPM this connection reaches. */
    TpmEndpoint endpoint();

    /**
     * Reads PCR values. The TPM returns at most eight PCRs per command, so larger selections take
     * several commands; if the PCRs change in between (the TPM's PCR update counter moves), the
     * whole read starts again, so the values always form one consistent snapshot.
     *
     * @throws TpmException of kind {@link TpmException.Kind#UNAVAILABLE} if the TPM does not return
     *         a selected PCR (for example its bank is not allocated)
     */
    PcrValues readPcrs(PcrSelection selection) throws TpmException;

    /**
     * Extends a PCR: TPM2_PCR_Extend with one digest per bank.
     *
     * @param index PCR index, 0..23 (the TPM refuses PCRs the current locality may not extend)
     * @param digests bank to digest, each as long as the bank's digest
     */
    void extendPcr(int index, Map<PcrBank, byte[]> digests) throws TpmException;

    /**
     * Measures data into a PCR: TPM2_PCR_Event hashes {@code eventData} with each allocated bank's
     * algorithm and extends the result.
     *
     * @param eventData at most {@value #MAX_EVENT_DATA} bytes
     * @return the digest of the data per hash algorithm the TPM reports (swtpm reports every implemented
     *         algorithm, not only allocated banks); algorithms without a {@link PcrBank} are left out
     */
    Map<PcrBank, byte[]> pcrEvent(int index, byte[] eventData) throws TpmException;

    /**
     * Reads the EK certificate from its NV index.
     *
     * @return the DER certificate (trailing NV padding removed), or empty if the NV index does not
     *         exist
     */
    Optional<byte[]> readEkCertificate(EkType type) throws TpmException;

    /**
     * Returns the EK's public area and name: the persistent EK if there is one at
     * {@link EkType#persistentHandle()}, otherwise the primary key created from the default
     * template (and flushed again).
     *
     * @throws TpmException of kind {@link TpmException.Kind#UNAVAILABLE} if there is no such EK
     */
    TpmKeyPublic readEkPublic(EkType type) throws TpmException;

    /**
     * Creates an attestation key: a restricted signing primary key in the endorsement hierarchy.
     * The returned key stays loaded until closed.
     */
    AttestationKey createAttestationKey(AkAlgorithm algorithm) throws TpmException;

    /**
     * TPM2_ActivateCredential: proves the attestation key lives in the TPM owning the EK by
     * recovering the secret protected with TPM2_MakeCredential(EK public, secret, AK name). The EK
     * is authorised with a policy session running PolicySecret(TPM_RH_ENDORSEMENT) when its
     * attributes demand a policy, otherwise with its (empty) password.
     *
     * @param credentialBlob the TPM2B_ID_OBJECT (size-prefixed) from MakeCredential
     * @param encryptedSecret the TPM2B_ENCRYPTED_SECRET (size-prefixed) from MakeCredential
     * @return the secret (the content of the TPM2B_DIGEST)
     * @throws TpmException of kind {@link TpmException.Kind#TPM_ERROR}, typically TPM_RC_INTEGRITY,
     *         if the credential was made for another key name or another EK
     */
    byte[] activateCredential(AttestationKey attestationKey, EkType ekType, byte[] credentialBlob,
            byte[] encryptedSecret) throws TpmException;

    /**
     * TPM2_Quote over a PCR selection, signed with the attestation key's own scheme.
     *
     * @param qualifyingData the caller's nonce, at most {@value #MAX_QUALIFYING_DATA} bytes; it comes
     *        back as extraData in the TPMS_ATTEST
     */
    SignedAttestation quote(AttestationKey attestationKey, byte[] qualifyingData, PcrSelection selection)
            throws TpmException;

    /**
     * Signs data with the attestation key. The key is restricted, so it signs only a digest the TPM
     * computed itself: the TPM hashes the data with SHA-256 (TPM2_Hash, or a hash sequence for more
     * than 1024 bytes) in the endorsement hierarchy, which yields a TPMT_TK_HASHCHECK ticket, and
     * TPM2_Sign signs that digest with the key's own scheme, presenting the ticket. A hash sequence
     * occupies an object slot until it completes: on swtpm (three slots) the attestation key and one
     * bound key may be open, not more.
     *
     * @param data at most {@value #MAX_SIGNED_DATA} bytes, may be empty
     * @return the TPMT_SIGNATURE bytes exactly as the TPM produced them (sigAlg, hashAlg SHA-256, then
     *         the algorithm's signature fields): a signature over SHA-256(data)
     * @throws TpmException of kind {@link TpmException.Kind#TPM_ERROR} with TPM_RC_TICKET if the data
     *         begins with TPM_GENERATED_VALUE (0xff544347): the TPM gives no ticket for data that could
     *         pass for a structure it generated, and a restricted key signs nothing without one
     */
    byte[] sign(AttestationKey attestationKey, byte[] data) throws TpmException;

    /**
     * Creates an ECC NIST P-256 decryption key under the ECC storage root key whose authPolicy
     * requires the PCRs to hold {@code boundValues}. The values are normally those just read and
     * quoted; if the PCRs have moved on since, the key is created but can never be used. The storage
     * root key is created for this and flushed again.
     * <p>
     * Creation needs two free object slots (storage root key and the new key). A TPM without a
     * resource manager, such as swtpm, has three: with the attestation key loaded, at most one bound
     * key can be open at a time (otherwise TPM_RC_OBJECT_MEMORY).
     */
    BoundDecryptionKey createPcrBoundDecryptionKey(PcrValues boundValues, BoundKeyPolicy policy)
            throws TpmException;

    /**
     * TPM2_Certify: the attestation key signs the bound key's name and qualified name.
     *
     * @param qualifyingData for example a transcript hash, at most {@value #MAX_QUALIFYING_DATA} bytes
     */
    SignedAttestation certify(BoundDecryptionKey key, AttestationKey attestationKey, byte[] qualifyingData)
            throws TpmException;

    /**
     * TPM2_ECDH_ZGen with the bound key inside a policy session that satisfies its policy
     * (PolicyPCR with the bound values' digest, then PolicyCommandCode if the policy has it).
     *
     * @param peerPublic the peer's P-256 public point
     * @return Z, the x coordinate of the shared point, 32 bytes big-endian
     * @throws TpmException of kind {@link TpmException.Kind#TPM_ERROR} with TPM_RC_VALUE (from
     *         PolicyPCR) when the PCRs no longer hold the bound values
     */
    byte[] ecdhZGen(BoundDecryptionKey key, ECPoint peerPublic) throws TpmException;

    /** Whether the connection is open. */
    boolean isOpen();

    /**
     * Flushes every key and session still loaded, then closes the transport. Closing again does
     * nothing.
     *
     * @throws TpmException if a flush failed (the transport is closed anyway)
     */
    @Override
    void close() throws TpmException;
}
