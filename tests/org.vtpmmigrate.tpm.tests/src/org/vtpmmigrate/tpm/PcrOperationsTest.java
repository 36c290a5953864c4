package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.Tpm2ToolsOutput;

/** PCR read, extend and event on a real swtpm with sha1 and sha256 banks. */
class PcrOperationsTest {

    private static SwtpmProcess swtpm;
    private static TpmConnector connector;
    private final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void startSwtpm() {
        swtpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start();
        connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()));
    }

    @AfterAll
    static void stopSwtpm() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    @Test
    void readsAll24PcrsOfBothBanksAsTpm2ToolsSeesThem() throws Exception {
        PcrSelection all = PcrSelection.allPcrs(PcrBank.SHA1, PcrBank.SHA256);
        PcrValues values;
        try (TpmConnection tpm = connector.connect()) {
            // Make some values distinct, so a mix-up of indices or banks would show.
            tpm.pcrEvent(16, "distinct".getBytes());
            values = tpm.readPcrs(all);
        }
        assertEquals(48, values.valuesInSelectionOrder().size());

        Map<String, SortedMap<Integer, byte[]>> expected = Tpm2ToolsOutput.pcrValues(
                swtpm.runTool("tpm2_pcrread", "sha1:all+sha256:all").requireSuccess().stdout());
        assertEquals(List.of("sha1", "sha256"), List.copyOf(expected.keySet()), "banks in tpm2_pcrread output");
        for (PcrBank bank : List.of(PcrBank.SHA1, PcrBank.SHA256)) {
            assertEquals(24, expected.get(bank.bankName()).size(), bank + " lines in tpm2_pcrread output");
            for (int index = 0; index < PcrSelection.PCR_COUNT; index++) {
                assertArrayEquals(expected.get(bank.bankName()).get(index), values.value(bank, index),
                        "PCR " + bank + ":" + index);
            }
        }
    }

    @Test
    void extendedValueIsHashOfOldValueAndDigest() throws Exception {
        try (TpmConnection tpm = connector.connect()) {
            PcrSelection pcr16 = PcrSelection.builder().add(PcrBank.SHA256, 16).add(PcrBank.SHA1, 16).build();
            PcrValues before = tpm.readPcrs(pcr16);
            Map<PcrBank, byte[]> digests = new EnumMap<>(PcrBank.class);
            digests.put(PcrBank.SHA1, randomBytes(20));
            digests.put(PcrBank.SHA256, randomBytes(32));

            tpm.extendPcr(16, digests);

            assertExtendedBy(digests, before, tpm.readPcrs(pcr16));
        }
    }

    @Test
    void pcrEventExtendsTheDigestOfTheDataInEveryBank() throws Exception {
        byte[] data = "launch measurement: kernel".getBytes();
        try (TpmConnection tpm = connector.connect()) {
            PcrSelection pcr16 = PcrSelection.builder().add(PcrBank.SHA1, 16).add(PcrBank.SHA256, 16).build();
            PcrValues before = tpm.readPcrs(pcr16);

            Map<PcrBank, byte[]> eventDigests = tpm.pcrEvent(16, data);

            // swtpm reports a digest for every implemented algorithm, allocated bank or not.
            assertTrue(eventDigests.keySet().containsAll(pcr16.banks()), "banks reported: " + eventDigests.keySet());
            for (Map.Entry<PcrBank, byte[]> reported : eventDigests.entrySet()) {
                assertArrayEquals(MessageDigest.getInstance(reported.getKey().jcaName()).digest(data), reported.getValue(),
                        "event digest in " + reported.getKey());
            }
            assertExtendedBy(eventDigests, before, tpm.readPcrs(pcr16));
        }
    }

    @Test
    void valuesComeBackInSelectionOrder() throws Exception {
        try (TpmConnection tpm = connector.connect()) {
            tpm.pcrEvent(16, "order".getBytes());
            PcrSelection selection = PcrSelection.builder().add(PcrBank.SHA256, 23, 16, 0).add(PcrBank.SHA1, 16).build();
            PcrValues values = tpm.readPcrs(selection);
            List<byte[]> ordered = values.valuesInSelectionOrder();
            assertArrayEquals(values.value(PcrBank.SHA256, 0), ordered.get(0));
            assertArrayEquals(values.value(PcrBank.SHA256, 16), ordered.get(1));
            assertArrayEquals(values.value(PcrBank.SHA256, 23), ordered.get(2));
            assertArrayEquals(values.value(PcrBank.SHA1, 16), ordered.get(3));
            assertEquals(20, ordered.get(3).length);
        }
    }

    @Test
    void unallocatedBankIsReportedAsUnavailable() throws Exception {
        try (SwtpmProcess sha256Only = SwtpmProcess.builder().pcrBanks("sha256").start();
                TpmConnection tpm = TpmConnector.of(TpmEndpoint.parse(sha256Only.endpointSpec())).connect()) {
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.readPcrs(PcrSelection.builder().add(PcrBank.SHA256, 0).add(PcrBank.SHA1, 0, 1).build()));
            assertEquals(TpmException.Kind.UNAVAILABLE, failure.kind());
            assertTrue(failure.getMessage().contains("sha1:0-1"), failure.getMessage());
            assertTrue(failure.getMessage().contains("bank allocated"), failure.getMessage());
        }
    }

    @Test
    void argumentsOutsideTheTpmLimitsAreRefusedBeforeSending() throws Exception {
        try (TpmConnection tpm = connector.connect()) {
            assertThrows(IllegalArgumentException.class, () -> tpm.extendPcr(24, Map.of(PcrBank.SHA256, new byte[32])));
            IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                    () -> tpm.extendPcr(16, Map.of(PcrBank.SHA256, new byte[20])));
            assertTrue(wrongLength.getMessage().contains("sha256"), wrongLength.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tpm.pcrEvent(16, new byte[1025]));
            // The connection is still usable afterwards.
            assertEquals(1, tpm.readPcrs(PcrSelection.of(PcrBank.SHA256, 16)).valuesInSelectionOrder().size());
        }
    }

    @Test
    void pcrResetByLocalityRulesIsRefusedWithTheTpmCode() throws Exception {
        try (TpmConnection tpm = connector.connect()) {
            // PCR 17 (D-RTM) cannot be extended from locality 0.
            TpmException failure = assertThrows(TpmException.class,
                    () -> tpm.extendPcr(17, Map.of(PcrBank.SHA256, new byte[32])));
            assertEquals(TpmException.Kind.TPM_ERROR, failure.kind());
            assertEquals("TPM_RC_LOCALITY", failure.responseCode().orElseThrow().name(), failure.getMessage());
            assertTrue(failure.getMessage().startsWith("PCR_Extend of PCR 17"), failure.getMessage());
        }
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Every bank of {@code after} holds PCR 16 of {@code before} extended by that bank's digest. */
    private static void assertExtendedBy(Map<PcrBank, byte[]> digests, PcrValues before, PcrValues after)
            throws Exception {
        for (PcrBank bank : after.selection().banks()) {
            MessageDigest hash = MessageDigest.getInstance(bank.jcaName());
            hash.update(before.value(bank, 16));
            hash.update(digests.get(bank));
            assertArrayEquals(hash.digest(), after.value(bank, 16), "PCR 16 in " + bank);
        }
    }
}
