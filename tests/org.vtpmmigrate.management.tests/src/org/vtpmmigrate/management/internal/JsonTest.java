package org.vtpmmigrate.management.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.management.AuditPage;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.MigrationResult;
import org.vtpmmigrate.management.PolicyUpload;

/** The strict JSON binder: every refusal names the JSON path and what was wrong there. */
class JsonTest {
    private static final String NONCE = "AAECAwQFBgcICQoLDA0ODxAREhM=";

    private static <T> T read(String json, Class<T> type) throws JsonBindingException {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), type, Json.UnknownFields.REJECT);
    }

    private static JsonBindingException refused(String json, Class<?> type) {
        return assertThrows(JsonBindingException.class, () -> read(json, type));
    }

    private static String evidenceRequest(String selection) {
        return "{\"nonce\": \"" + NONCE + "\", \"pcrSelection\": [" + selection + "], \"includeEventLog\": true,"
                + " \"includeImaLog\": false}";
    }

    @Test
    void aWellFormedRequestBindsToItsRecord() throws Exception {
        EvidenceRequest request = read(evidenceRequest("{\"bank\": \"sha256\", \"indices\": [0, 7, 23]}"),
                EvidenceRequest.class);
        assertEquals(List.of(0, 7, 23), request.pcrSelection().get(0).indices());
        assertTrue(request.includeEventLog());
    }

    @Test
    void unknownFieldsAreRefusedInRequestsWithTheirPath() {
        JsonBindingException e = refused(evidenceRequest("{\"bank\": \"sha256\", \"indices\": [1], \"bnak\": 1}"),
                EvidenceRequest.class);
        assertEquals("$.pcrSelection[0].bnak", e.path());
        assertTrue(e.getMessage().contains("unknown field (PcrSelection has bank, indices)"), e::getMessage);
    }

    @Test
    void unknownFieldsAreIgnoredInResponses() throws Exception {
        String json = "{\"outcome\": \"COMMITTED\", \"failureCode\": null, \"message\": \"done\","
                + " \"finishedAt\": \"2025-01-31T12:00:00Z\", \"downtimeMs\": 12, \"addedInV1_1\": {\"x\": [1]}}";
        MigrationResult result = Json.read(json.getBytes(StandardCharsets.UTF_8), MigrationResult.class,
                Json.UnknownFields.IGNORE);
        assertEquals(Instant.parse("2025-01-31T12:00:00Z"), result.finishedAt());
        assertEquals("$.addedInV1_1", refused(json, MigrationResult.class).path());
    }

    @Test
    void missingAndNullFieldsAreNamed() {
        assertEquals("$.includeImaLog: is required", refused("{\"nonce\": \"" + NONCE
                + "\", \"pcrSelection\": [{\"bank\": \"sha1\", \"indices\": [0]}], \"includeEventLog\": true}",
                EvidenceRequest.class).getMessage());
        assertEquals("$.includeEventLog: must not be null", refused("{\"nonce\": \"" + NONCE
                + "\", \"pcrSelection\": [{\"bank\": \"sha1\", \"indices\": [0]}], \"includeEventLog\": null,"
                + " \"includeImaLog\": true}", EvidenceRequest.class).getMessage());
        assertEquals("$.nonce: is required", refused("{\"pcrSelection\": [], \"includeEventLog\": true,"
                + " \"includeImaLog\": true}", EvidenceRequest.class).getMessage());
        assertEquals("$.pcrSelection[0]: must not be null",
                refused(evidenceRequest("null"), EvidenceRequest.class).getMessage());
    }

    @Test
    void wrongTypesAreNamedWithWhatWasFound() {
        assertEquals("$.pcrSelection[0].indices[1]: expected an integer, found a string",
                refused(evidenceRequest("{\"bank\": \"sha1\", \"indices\": [1, \"2\"]}"), EvidenceRequest.class)
                        .getMessage());
        assertEquals("$.pcrSelection: expected an array, found an object",
                refused("{\"nonce\": \"" + NONCE + "\", \"pcrSelection\": {}, \"includeEventLog\": true,"
                        + " \"includeImaLog\": true}", EvidenceRequest.class).getMessage());
        assertEquals("$.includeImaLog: expected true or false, found the number 1",
                refused("{\"nonce\": \"" + NONCE + "\", \"pcrSelection\": [{\"bank\": \"sha1\", \"indices\": [0]}],"
                        + " \"includeEventLog\": true, \"includeImaLog\": 1}", EvidenceRequest.class).getMessage());
        assertEquals("$: expected an object, found a string", refused("\"text\"", EvidenceRequest.class).getMessage());
    }

    @Test
    void integersMustBeWrittenAsIntegersAndFit() {
        for (String number : List.of("1.0", "1e0", "1E2", "1.5", "-0.0")) {
            JsonBindingException e = refused(evidenceRequest("{\"bank\": \"sha1\", \"indices\": [" + number + "]}"),
                    EvidenceRequest.class);
            assertTrue(e.getMessage().startsWith("$.pcrSelection[0].indices[0]: expected an integer"), e::getMessage);
        }
        assertEquals("$.pcrSelection[0].indices[0]: 2147483648 is outside -2147483648..2147483647",
                refused(evidenceRequest("{\"bank\": \"sha1\", \"indices\": [2147483648]}"), EvidenceRequest.class)
                        .getMessage());
        JsonBindingException longLiteral = refused("{\"from\": 1" + "0".repeat(60) + "}", AuditPage.class);
        assertTrue(longLiteral.getMessage().contains("too long"), longLiteral::getMessage);
    }

    @Test
    void recordValidationErrorsCarryTheirPath() {
        assertEquals("$.pcrSelection[0].bank: 'md5' is not a PCR bank (sha1, sha256, sha384, sha512, sm3_256)",
                refused(evidenceRequest("{\"bank\": \"md5\", \"indices\": [1]}"), EvidenceRequest.class).getMessage());
        assertEquals("$.pcrSelection[0].indices: 24 is outside 0..23",
                refused(evidenceRequest("{\"bank\": \"sha1\", \"indices\": [24]}"), EvidenceRequest.class).getMessage());
        assertEquals("$.pcrSelection[0].indices: entry 1 (3) appears twice",
                refused(evidenceRequest("{\"bank\": \"sha1\", \"indices\": [3, 3]}"), EvidenceRequest.class).getMessage());
        JsonBindingException shortNonce = refused("{\"nonce\": \"AAEC\", \"pcrSelection\": [{\"bank\": \"sha1\","
                + " \"indices\": [0]}], \"includeEventLog\": true, \"includeImaLog\": true}", EvidenceRequest.class);
        assertEquals("$.nonce: decodes to 3 bytes, allowed 16..64", shortNonce.getMessage());
        JsonBindingException pcrSize = assertThrows(JsonBindingException.class, () -> Json.read(
                "{\"bank\": \"sha256\", \"index\": 0, \"value\": \"00\"}".getBytes(StandardCharsets.UTF_8),
                HostEvidence.PcrValue.class, Json.UnknownFields.REJECT));
        assertEquals("$.value: 1 bytes of hex, allowed 32..32", pcrSize.getMessage());
    }

    @Test
    void duplicateKeysTrailingDataAndLaxSyntaxAreRefused() {
        assertTrue(refused("{\"text\": \"{}\", \"text\": \"{}\"}", PolicyUpload.class).getMessage()
                .contains("field 'text' appears twice"));
        assertTrue(refused("{\"text\": \"{}\", \"expectedDigest\": null} {}", PolicyUpload.class).getMessage()
                .contains("malformed JSON"));
        for (String lax : List.of("{text: \"{}\"}", "{'text': '{}'}", "{\"text\": \"{}\",}",
                "{\"text\": \"{}\" /* c */}", "{\"text\": NaN}", "{\"text\": \"a\tb\"}")) {
            JsonBindingException e = refused(lax, PolicyUpload.class);
            assertTrue(e.getMessage().contains("malformed JSON"), () -> lax + " -> " + e.getMessage());
        }
        assertEquals("$: empty document, expected a JSON value", refused("  ", PolicyUpload.class).getMessage());
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        JsonBindingException e = assertThrows(JsonBindingException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("malformed JSON: Nesting limit " + Json.MAX_DEPTH + " reached"),
                e::getMessage);
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        JsonBindingException e = assertThrows(JsonBindingException.class,
                () -> Json.read(body, PolicyUpload.class, Json.UnknownFields.REJECT));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e::getMessage);
    }

    @Test
    void aPolicyTextMustItselfBeAJsonObject() {
        assertEquals("$.text: is not JSON: $.a: malformed JSON: End of input at line 1 column 8 path $.a",
                refused("{\"text\": \"{\\\"a\\\": 1\"}", PolicyUpload.class).getMessage());
        assertEquals("$.text: must be a JSON object", refused("{\"text\": \"[1, 2]\"}", PolicyUpload.class).getMessage());
    }

    @Test
    void writingPutsNullsAndInstantsExplicitly() {
        MigrationResult result = new MigrationResult("FAILED", "PEER_TIMEOUT", "no commit; the VM runs on the source",
                Instant.parse("2025-01-31T12:00:00Z"), -1);
        assertEquals("{\"outcome\":\"FAILED\",\"failureCode\":\"PEER_TIMEOUT\",\"message\":\"no commit; the VM runs on"
                + " the source\",\"finishedAt\":\"2025-01-31T12:00:00Z\",\"downtimeMs\":-1}", Json.writeString(result));
        PolicyUpload upload = new PolicyUpload("{\"a\": \"<b>\"}", null);
        assertEquals("{\"text\":\"{\\\"a\\\": \\\"<b>\\\"}\",\"expectedDigest\":null}", Json.writeString(upload));
    }
}
