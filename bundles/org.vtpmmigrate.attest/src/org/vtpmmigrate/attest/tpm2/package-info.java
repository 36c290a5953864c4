/**
 * TPM 2.0 evidence, verified in software without a TPM: decoding of TPM structures
 * (TPMS_ATTEST, TPMT_SIGNATURE, TPMT_PUBLIC, TPML_PCR_SELECTION) and tpm2-tools files, TPM
 * names, quote and certification verification with a typed reason per failed check, policy
 * digests (PolicyPCR, PolicyCommandCode), credential protection (MakeCredential) and EK
 * certificate validation.
 */
package org.vtpmmigrate.attest.tpm2;
