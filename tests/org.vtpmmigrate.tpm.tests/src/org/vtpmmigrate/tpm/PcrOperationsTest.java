package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/** PCR read, extend and event on a real swtpm with sha1 and sha256 banks. */
class PcrOperationsTest {

    private static final Pattern BANK_LINE = Pattern.compile("^\\s*(sha\\d+):\\s*$");
    private static final Pattern VALUE_LINE = Pattern.compile("^\\s*(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");

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

        Map<String, Map<Integer, String>> expected = pcrreadOutput(
                swtpm.runTool("tpm2_pcrread", "sha1:all+sha256:all").requireSuccess().stdout());
        assertEquals(24, expected.get("sha1").size(), "sha1 lines in tpm2_pcrread output");
        assertEquals(24, expected.get("sha256").size(), "sha256 lines in tpm2_pcrread output");
        HexFormat hex = HexFormat.of();
        for (PcrBank bank : List.of(PcrBank.SHA1, PcrBank.SHA256)) {
            for (int index = 0; index < PcrSelection.PCR_COUNT; index++) {
                assertEquals(expected.get(bank.bankName()).get(index), hex.formatHex(values.value(bank, index)),
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

            PcrValues after = tpm.readPcrs(pcr16);
            for (PcrBank bank : pcr16.banks()) {
                assertArrayEquals(extend(bank, before.value(bank, 16), digests.get(bank)), after.value(bank, 16),
                        "PCR 16 in " + bank);
            }
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
            PcrValues after = tpm.readPcrs(pcr16);
            for (PcrBank bank : pcr16.banks()) {
                assertArrayEquals(extend(bank, before.value(bank, 16), eventDigests.get(bank)), after.value(bank, 16),
                        "PCR 16 in " + bank);
            }
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

    private static byte[] extend(PcrBank bank, byte[] old, byte[] digest) throws Exception {
        MessageDigest hash = MessageDigest.getInstance(bank.jcaName());
        hash.update(old);
        hash.update(digest);
        return hash.digest();
    }

    private static Map<String, Map<Integer, String>> pcrreadOutput(String output) {
        Map<String, Map<Integer, String>> values = new HashMap<>();
        Map<Integer, String> current = null;
        for (String line : output.split("\n")) {
            Matcher bank = BANK_LINE.matcher(line);
            Matcher value = VALUE_LINE.matcher(line);
            if (bank.matches()) {
                current = values.computeIfAbsent(bank.group(1), b -> new HashMap<>());
            } else if (value.matches() && current != null) {
                current.put(Integer.parseInt(value.group(1)), value.group(2).toLowerCase());
            }
        }
        return values;
    }
}
