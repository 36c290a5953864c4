/**
 * Implementation of the TPM access API on TSS.Java: device transports, command execution with
 * raw response capture, object templates and policy digests. Not API.
 */
package org.vtpmmigrate.tpm.internal;
