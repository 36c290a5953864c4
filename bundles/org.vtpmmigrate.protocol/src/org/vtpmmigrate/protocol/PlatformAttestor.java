package org.vtpmmigrate.protocol;

import java.util.List;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.PcrSelection;
import org.vtpmmigrate.protocol.wire.PcrValue;

/**
 * The local host's TPM operations the protocol needs. The engine implements it with the tpm
 * bundle; one instance serves one run (it knows which VM's launch measurements to report).
 */
public interface PlatformAttestor {
    /**
     * TPM2_Quote with the AK over {@code selection}, {@code nonce} as qualifyingData, plus the PCR
     * values, event logs and (on the source) the VM's launch measurements.
     */
    AttestationEvidence attest(Bytes nonce, PcrSelection selection) throws PlatformException;

    /**
     * Creates the ephemeral ECDH key (fixedTPM, fixedParent, sensitiveDataOrigin, decrypt, no
     * userWithAuth) whose authPolicy is PolicyPCR over {@code selection} with exactly
     * {@code attestedValues} (the values just quoted), and certifies it with the AK and
     * {@code certifyQualifyingData} (the transcript hash).
     */
    BoundKey createBoundKey(PcrSelection selection, List<PcrValue> attestedValues, Bytes certifyQualifyingData)
            throws PlatformException;

    /** Signs the commit payload with the AK (the TPM hashes it, so the payload is not a TPM-generated value). */
    Bytes signCommit(Bytes commitPayload) throws PlatformException;
}
