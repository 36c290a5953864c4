/**
 * TCG PC Client platform firmware event logs (the SHA-1 TCG_PCR_EVENT format and the
 * crypto-agile TCG_PCR_EVENT2 format): bounded parsing, decoding of the event data that policy
 * needs, replay into per-bank PCR values and comparison with PCR values a TPM quoted.
 * <p>
 * Entry point: {@link org.vtpmmigrate.attest.eventlog.EventLog#parse(byte[])}.
 */
package org.vtpmmigrate.attest.eventlog;
