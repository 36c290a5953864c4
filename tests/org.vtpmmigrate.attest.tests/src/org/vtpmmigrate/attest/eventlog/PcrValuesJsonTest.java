package org.vtpmmigrate.attest.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.PcrValuesJson;

/** The JSON and text forms of PCR values. */
class PcrValuesJsonTest {
    private static final String ONES20 = "11".repeat(20);
    private static final String TWOS32 = "22".repeat(32);

    private static PcrValues sample() {
        return PcrValues.builder()
                .put(HashAlgorithm.SHA256, 10, TestCorpus.hex(TWOS32))
                .put(HashAlgorithm.SHA1, 7, TestCorpus.hex(ONES20))
                .put(HashAlgorithm.SHA256, 2, TestCorpus.hex(TWOS32))
                .build();
    }

    @Test
    void jsonFormIsBanksThenIndicesInOrder() {
        String expected = "{\n"
                + "  \"banks\": {\n"
                + "    \"sha1\": {\n"
                + "      \"7\": \"" + ONES20 + "\"\n"
                + "    },\n"
                + "    \"sha256\": {\n"
                + "      \"2\": \"" + TWOS32 + "\",\n"
                + "      \"10\": \"" + TWOS32 + "\"\n"
                + "    }\n"
                + "  }\n"
                + "}";
        assertEquals(expected, PcrValuesJson.toJson(sample()));
    }

    @Test
    void textFormIsOneLinePerPcr() {
        assertEquals("sha1:7=" + ONES20 + "\nsha256:2=" + TWOS32 + "\nsha256:10=" + TWOS32 + "\n",
                PcrValuesJson.toText(sample()));
    }

    @Test
    void bothFormsRoundTripARealReplay() throws Exception {
        PcrValues replayed = EventLog.read(TestCorpus.path("eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin"))
                .replay();
        assertEquals(33, TestCorpus.keys(replayed).size());
        assertEquals(replayed, PcrValuesJson.fromJson(PcrValuesJson.toJson(replayed)));
        assertEquals(replayed, PcrValuesJson.fromText(PcrValuesJson.toText(replayed)));
        assertEquals(PcrValues.builder().build(), PcrValuesJson.fromJson("{\"banks\": {}}"));
    }

    private static void refusedJson(String json, String fragment) {
        PcrValuesJson.FormatException e = assertThrows(PcrValuesJson.FormatException.class,
                () -> PcrValuesJson.fromJson(json));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void jsonReaderIsStrict() {
        refusedJson("{\"banks\": {\"md5\": {}}}", "unknown bank \"md5\"");
        refusedJson("{\"banks\": {\"SHA1\": {}}}", "unknown bank \"SHA1\"");
        refusedJson("{\"banks\": {\"sha1\": {\"24\": \"" + ONES20 + "\"}}}", "PCR index 24 is outside 0..23");
        refusedJson("{\"banks\": {\"sha1\": {\"07\": \"" + ONES20 + "\"}}}", "is not a number");
        refusedJson("{\"banks\": {\"sha1\": {\"7\": \"" + TWOS32 + "\"}}}", "is not 20 bytes of lowercase hex");
        refusedJson("{\"banks\": {\"sha1\": {\"7\": \"" + ONES20.toUpperCase().replace('1', 'A') + "\"}}}",
                "lowercase hex");
        refusedJson("{\"banks\": {\"sha1\": {\"7\": 5}}}", "is not a hex string");
        refusedJson("{\"banks\": {\"sha1\": {\"7\": \"" + ONES20 + "\", \"7\": \"" + ONES20 + "\"}}}", "appears twice");
        refusedJson("{\"banks\": {}, \"extra\": 1}", "unexpected member \"extra\"");
        refusedJson("{\"banks\": {}} {}", "not PCR values JSON: malformed JSON at line 1 column 16");
        refusedJson("{}", "missing member \"banks\"");
        refusedJson("[1, 2]", "not PCR values JSON");
        refusedJson("{\"banks\": {\"sha1\": {\"7\": \"" + ONES20 + "\"", "not PCR values JSON");
        refusedJson(" ".repeat(PcrValuesJson.MAX_INPUT_CHARS + 1), "more than the limit");
    }

    @Test
    void textReaderIsStrict() {
        PcrValuesJson.FormatException e = assertThrows(PcrValuesJson.FormatException.class,
                () -> PcrValuesJson.fromText("sha1:7=" + ONES20 + "\nsha1:7=" + ONES20 + "\n"));
        assertTrue(e.getMessage().startsWith("line 2: "), e.getMessage());
        e = assertThrows(PcrValuesJson.FormatException.class, () -> PcrValuesJson.fromText("sha1 7 " + ONES20));
        assertTrue(e.getMessage().contains("expected bank:index=hex"), e.getMessage());
        e = assertThrows(PcrValuesJson.FormatException.class, () -> PcrValuesJson.fromText("\n\nsha512:1=00"));
        assertTrue(e.getMessage().startsWith("line 3: value of sha512:1 is not 64 bytes"), e.getMessage());
    }
}
