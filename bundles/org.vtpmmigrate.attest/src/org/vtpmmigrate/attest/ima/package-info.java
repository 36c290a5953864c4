/**
 * Linux IMA measurement lists (the kernel's {@code ascii_runtime_measurements} and
 * {@code binary_runtime_measurements}): bounded parsing of the {@code ima}, {@code ima-ng},
 * {@code ima-sig} and {@code ima-buf} templates, template-hash verification as the kernel
 * computes it, replay into PCR values per bank and comparison with PCR values a TPM quoted.
 * <p>
 * Entry point: {@link org.vtpmmigrate.attest.ima.ImaLog#parse(byte[])}.
 */
package org.vtpmmigrate.attest.ima;
