package org.vtpmmigrate.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.management.internal.ErrorBody;
import org.vtpmmigrate.management.internal.Json;

/**
 * The JSON of every DTO, written out in full: the field names are permanent API, so a rename must fail
 * here before it reaches a console or CLI of another version. Each sample also reads back to itself.
 */
class WireFormatTest {
    private static final Instant T = Instant.parse("2025-01-31T12:00:00Z");
    private static final String DIGEST = "9b964fc0b41fd2df7ac5464ff0959c15d46ed02f4effdb398acde7528dae8e20";

    private static Map<Object, String> samples() {
        Map<Object, String> samples = new LinkedHashMap<>();
        samples.put(new HostInfo("agent-a", "swtpm:127.0.0.1:2321", "IBM SW TPM", "0.1.0", "v1", List.of("1"), null,
                "0.7.1", new HostInfo.Enrolment("ENROLLED", "CN=ek", "000b" + DIGEST, T, null)),
                "{\"hostId\":\"agent-a\",\"tpmConnector\":\"swtpm:127.0.0.1:2321\",\"tpmDescription\":\"IBM SW TPM\","
                        + "\"engineVersion\":\"0.1.0\",\"apiVersion\":\"v1\",\"protocolVersions\":[\"1\"],"
                        + "\"qemuVersion\":null,\"swtpmVersion\":\"0.7.1\",\"enrolment\":{\"state\":\"ENROLLED\","
                        + "\"ekCertificateSubject\":\"CN=ek\",\"akName\":\"000b" + DIGEST + "\","
                        + "\"enrolledAt\":\"2025-01-31T12:00:00Z\",\"reason\":null}}");
        samples.put(new EvidenceRequest("AAECAwQFBgcICQoLDA0ODw==", List.of(new EvidenceRequest.PcrSelection("sha256",
                List.of(0, 7))), true, false),
                "{\"nonce\":\"AAECAwQFBgcICQoLDA0ODw==\",\"pcrSelection\":[{\"bank\":\"sha256\",\"indices\":[0,7]}],"
                        + "\"includeEventLog\":true,\"includeImaLog\":false}");
        samples.put(new HostEvidence("agent-a", "AAECAwQFBgcICQoLDA0ODw==", "/1RDRw==", "ABQ=", "AAE=", "000b" + DIGEST,
                List.of(new HostEvidence.PcrValue("sha256", 7, DIGEST)), "AQID", null, List.of("MAA=")),
                "{\"hostId\":\"agent-a\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODw==\",\"quoted\":\"/1RDRw==\","
                        + "\"signature\":\"ABQ=\",\"akPublic\":\"AAE=\",\"akName\":\"000b" + DIGEST + "\","
                        + "\"pcrs\":[{\"bank\":\"sha256\",\"index\":7,\"value\":\"" + DIGEST + "\"}],"
                        + "\"eventLog\":\"AQID\",\"imaLog\":null,\"ekCertificateChain\":[\"MAA=\"]}");
        samples.put(new VmList(List.of(new VmSummary("vm-1", "web", "RUNNING"))),
                "{\"vms\":[{\"id\":\"vm-1\",\"name\":\"web\",\"state\":\"RUNNING\"}]}");
        samples.put(new VmDetails("vm-1", null, "RUNNING", 1073741824L, 2, "vtpm-1", 4,
                List.of(new VmDetails.LaunchMeasurement("kernel", "sha256", DIGEST))),
                "{\"id\":\"vm-1\",\"name\":null,\"state\":\"RUNNING\",\"memoryBytes\":1073741824,\"vcpus\":2,"
                        + "\"vtpmInstanceId\":\"vtpm-1\",\"vtpmEpoch\":4,\"launchMeasurements\":[{\"component\":\"kernel\","
                        + "\"algorithm\":\"sha256\",\"digest\":\"" + DIGEST + "\"}]}");
        samples.put(new PolicyList(List.of(new PolicySummary("p1", DIGEST, 12, T))),
                "{\"policies\":[{\"id\":\"p1\",\"digest\":\"" + DIGEST + "\",\"sizeBytes\":12,"
                        + "\"updatedAt\":\"2025-01-31T12:00:00Z\"}]}");
        samples.put(new PolicyDocument("p1", DIGEST, "{\"pcrs\":{}}", T),
                "{\"id\":\"p1\",\"digest\":\"" + DIGEST + "\",\"text\":\"{\\\"pcrs\\\":{}}\","
                        + "\"updatedAt\":\"2025-01-31T12:00:00Z\"}");
        samples.put(new PolicyUpload("{}", DIGEST), "{\"text\":\"{}\",\"expectedDigest\":\"" + DIGEST + "\"}");
        samples.put(new StartMigrationRequest("vm-1", "agent-b", "[::1]:7710", "p1", null),
                "{\"vmId\":\"vm-1\",\"destinationHostId\":\"agent-b\",\"destinationAddress\":\"[::1]:7710\","
                        + "\"policyId\":\"p1\",\"policyDigest\":null}");
        samples.put(new MigrationStarted("mig-1"), "{\"migrationId\":\"mig-1\"}");
        MigrationStatus status = new MigrationStatus("mig-1", "vm-1", "agent-a", "agent-b", "p1", DIGEST,
                "CN=alice,OU=administrator,O=vTPM Migrate", "DONE", null, 100, 100, 3, T, 4200,
                List.of(new PartyVerdict("DESTINATION", "REJECTED", List.of(new PartyVerdict.Reason("PCR_POLICY",
                        "PCR 7 (sha256) differs")))),
                new MigrationResult("FAILED", "POLICY_REJECTED", "the VM runs on agent-a", T, -1));
        String statusJson = "{\"migrationId\":\"mig-1\",\"vmId\":\"vm-1\",\"sourceHostId\":\"agent-a\","
                + "\"destinationHostId\":\"agent-b\",\"policyId\":\"p1\",\"policyDigest\":\"" + DIGEST + "\","
                + "\"requestedBy\":\"CN=alice,OU=administrator,O=vTPM Migrate\",\"phase\":\"DONE\",\"state\":null,"
                + "\"bytesTransferred\":100,\"bytesTotal\":100,\"precopyRounds\":3,"
                + "\"startedAt\":\"2025-01-31T12:00:00Z\",\"elapsedMs\":4200,\"verdicts\":[{\"party\":\"DESTINATION\","
                + "\"status\":\"REJECTED\",\"reasons\":[{\"check\":\"PCR_POLICY\",\"detail\":\"PCR 7 (sha256) differs\"}]}],"
                + "\"result\":{\"outcome\":\"FAILED\",\"failureCode\":\"POLICY_REJECTED\","
                + "\"message\":\"the VM runs on agent-a\",\"finishedAt\":\"2025-01-31T12:00:00Z\",\"downtimeMs\":-1}}";
        samples.put(status, statusJson);
        samples.put(new MigrationList(List.of(status)), "{\"migrations\":[" + statusJson + "]}");
        samples.put(new AuditPage(5, List.of(new AuditRecord(5, T, "VERDICT", "mig-1", null, "destination rejected",
                "AQI=", "MEU=")), 6, false),
                "{\"from\":5,\"records\":[{\"sequence\":5,\"recordedAt\":\"2025-01-31T12:00:00Z\",\"type\":\"VERDICT\","
                        + "\"migrationId\":\"mig-1\",\"actor\":null,\"summary\":\"destination rejected\","
                        + "\"encoded\":\"AQI=\",\"signature\":\"MEU=\"}],\"nextSequence\":6,\"hasMore\":false}");
        samples.put(new ErrorBody(new ErrorBody.Detail("not_found", "VM 'x' is not on this host")),
                "{\"error\":{\"code\":\"not_found\",\"message\":\"VM 'x' is not on this host\"}}");
        return samples;
    }

    @Test
    void everyDtoHasItsDocumentedJson() {
        samples().forEach((dto, json) -> assertEquals(json, Json.writeString(dto), dto.getClass().getSimpleName()));
    }

    @Test
    void everyDtoReadsBackToItself() throws Exception {
        for (Map.Entry<Object, String> sample : samples().entrySet()) {
            Object dto = sample.getKey();
            Object read = Json.read(sample.getValue().getBytes(StandardCharsets.UTF_8), dto.getClass(),
                    Json.UnknownFields.REJECT);
            assertEquals(dto, read, dto.getClass().getSimpleName());
        }
    }

    @Test
    void errorCodesKeepTheirWireNamesAndStatuses() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("malformed_request", 400);
        expected.put("invalid_argument", 400);
        expected.put("unauthenticated", 401);
        expected.put("forbidden", 403);
        expected.put("not_found", 404);
        expected.put("method_not_allowed", 405);
        expected.put("conflict", 409);
        expected.put("payload_too_large", 413);
        expected.put("uri_too_long", 414);
        expected.put("unsupported_media_type", 415);
        expected.put("headers_too_large", 431);
        expected.put("internal_error", 500);
        expected.put("unavailable", 503);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            if (code.isServerCode()) {
                actual.put(code.wireName(), code.httpStatus());
                assertEquals(code, ErrorCode.fromWireName(code.wireName()).orElseThrow());
            }
        }
        assertEquals(expected, actual);
        ManagementException unknown = ManagementException.fromServer(429, "rate_limited", "slow down");
        assertEquals(ErrorCode.UNRECOGNIZED, unknown.code());
        assertEquals("rate_limited", unknown.wireCode());
        assertEquals(429, unknown.httpStatus().orElse(-1));
    }
}
