package org.vtpmmigrate.audit;

import java.security.GeneralSecurityException;

/**
 * Signs audit records with a host's attestation key. The engine implements it with the
 * platform TPM; the log writer checks every signature against the AK before anything is written.
 * <p>
 * What the TPM does: the AK is a restricted signing key, so it signs only digests the TPM computed
 * itself. Hash {@code recordBytes} with SHA-256 in the TPM (TPM2_Hash for up to 1024 bytes,
 * otherwise TPM2_HashSequenceStart, TPM2_SequenceUpdate in pieces and TPM2_SequenceComplete), with
 * a hierarchy other than TPM_RH_NULL so a TPMT_TK_HASHCHECK ticket comes back, then TPM2_Sign with
 * the AK, that digest and that ticket; return the TPMT_SIGNATURE. The digest is the record hash.
 * (tpm2-tools: {@code tpm2_sign -c ak.ctx -g sha256 -o sig.bin record.bin}.) Record bytes begin
 * with a domain label, never with TPM_GENERATED_VALUE, so the TPM always issues the ticket.
 * <p>
 * Quotes are not used for records: TPM2_Quote carries the caller's qualifying data, and the
 * migration protocol quotes with nonces a peer chooses, so a peer could obtain a quote over the
 * hash of a record it invented.
 */
public interface RecordSigner {
    /** The AK's TPM2B_PUBLIC (size-prefixed TPMT_PUBLIC). */
    byte[] akPublicArea();

    /**
     * A TPMT_SIGNATURE by the AK, hash algorithm SHA-256, over {@code recordBytes} (equivalently:
     * over their SHA-256 digest).
     *
     * @throws GeneralSecurityException if the TPM refused or could not be reached
     */
    byte[] sign(byte[] recordBytes) throws GeneralSecurityException;
}
