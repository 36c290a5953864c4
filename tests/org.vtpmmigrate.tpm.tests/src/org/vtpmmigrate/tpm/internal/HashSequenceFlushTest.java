package org.vtpmmigrate.tpm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.AkAlgorithm;
import org.vtpmmigrate.tpm.AttestationKey;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.tpm.TpmException;

import tss.tpm.TPM_RH;

/**
 * A hash sequence the TPM refuses to complete must be flushed, not left loaded. swtpm has three
 * object slots: with the attestation key loaded, leaked sequences would fill them within two
 * attempts and the next HashSequenceStart would fail with TPM_RC_OBJECT_MEMORY. A sequence that
 * completes is flushed by the TPM and must not be flushed again.
 */
class HashSequenceFlushTest {

    private static final int ATTEMPTS = 5;

    @Test
    void sequenceIsFlushedWhenTheTpmRefusesSequenceComplete() throws Exception {
        byte[] data = new byte[3000];
        Arrays.fill(data, (byte) 0x5A);
        try (SwtpmProcess swtpm = SwtpmProcess.start();
                TssTpmConnection tpm = (TssTpmConnection) TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()))
                        .connect();
                AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                TpmException failure;
                synchronized (tpm) {
                    // A ticket cannot name the lockout hierarchy: the TPM refuses SequenceComplete after the updates.
                    failure = assertThrows(TpmException.class,
                            () -> tpm.hashInSequence("the test", data, TPM_RH.LOCKOUT));
                }
                assertEquals("TPM_RC_VALUE", failure.responseCode().orElseThrow().name(), failure.getMessage());
                assertTrue(failure.getMessage().startsWith("SequenceComplete of hash sequence 0x80"),
                        failure.getMessage());
                assertEquals(Set.of(ak.handle()), tpm.loadedHandles(), "loaded handles after attempt " + attempt);
            }

            // Completed sequences are flushed by the TPM itself; were they not, these would run out of slots too.
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                TssTpmConnection.TicketedDigest hashed;
                synchronized (tpm) {
                    hashed = tpm.hashInSequence("the test", data, TPM_RH.ENDORSEMENT);
                }
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), hashed.digest());
                assertEquals(TPM_RH.ENDORSEMENT.toInt(), hashed.ticket().hierarchy.handle, "ticket hierarchy");
                assertEquals(Set.of(ak.handle()), tpm.loadedHandles(), "loaded handles after completion " + attempt);
            }
        }
    }
}
