/**
 * Local demo hosts: two complete engine hosts (simulated platform TPM, migration engine with QEMU
 * and swtpm, attestation log, management API) run inside the console for a first migration. The
 * only package of the console that uses the engine itself; everything else talks to agents through
 * the management API.
 */
package org.vtpmmigrate.console.demo;
