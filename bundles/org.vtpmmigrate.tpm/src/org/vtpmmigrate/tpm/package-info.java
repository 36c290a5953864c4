/**
 * Access to a TPM 2.0: the only place in the product that talks to one.
 * <p>
 * A {@link org.vtpmmigrate.tpm.TpmConnector} chosen by configuration (an swtpm TCP endpoint or a
 * Linux TPM character device such as {@code /dev/tpmrm0}) opens a
 * {@link org.vtpmmigrate.tpm.TpmConnection}, which reads and extends PCRs, reads the EK and its
 * certificate, creates attestation keys, quotes, activates credentials, and creates, certifies and
 * uses PCR-bound ECDH keys. Every marshalled structure handed out (TPM2B_PUBLIC, TPMS_ATTEST,
 * TPMT_SIGNATURE) is the exact byte string the TPM produced, so a verifier without a TPM can parse
 * and check it. Failures are {@link org.vtpmmigrate.tpm.TpmException}s that name the operation and
 * the decoded TPM response code.
 */
package org.vtpmmigrate.tpm;
