package org.vtpmmigrate.management;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Every endpoint over real mutual TLS on 127.0.0.1: the typed client against a server exposing the
 * in-memory service, and hand-made requests for the server's refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementApiTest {
    private static final String POLICY_TEXT = "{\"pcrs\": {\"sha256\": [0, 7]}, \"vmAllowlist\": []}";

    private final TestPki pki = TestPki.create("Test Admin CA", "alice");
    private final RealEvidence evidence = RealEvidence.load();
    private final InMemoryManagementService service = new InMemoryManagementService(evidence);
    private ManagementServer server;
    private ManagementClient client;
    private RawHttps raw;

    @BeforeAll
    void startServer() throws Exception {
        ServerSettings settings = new ServerSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8, 64,
                ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES, 64, Duration.ofSeconds(5));
        server = ManagementServer.start(settings, pki.server.toTlsCredentials(), service::as);
        client = ManagementClient.create(baseUri(), pki.administrator.toTlsCredentials(), TestPki.PATIENT);
        raw = new RawHttps(server.address(), TestPki.checked(pki.administrator));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private URI baseUri() {
        return URI.create("https://127.0.0.1:" + server.address().getPort());
    }

    private static ManagementException failure(Executable call) {
        return assertThrows(ManagementException.class, call);
    }

    private static void assertServerError(ManagementException e, ErrorCode code, int status) {
        assertEquals(code, e.code(), () -> "code of " + e);
        assertEquals(status, e.httpStatus().orElse(-1), () -> "status of " + e);
        assertTrue(e.reachedServer(), () -> "reached server: " + e);
    }

    // --- happy paths, one per endpoint -------------------------------------------------------------

    @Test
    void hostInfoArrivesAsTheServiceReportedIt() throws Exception {
        assertEquals(service.hostInfo, client.hostInfo());
    }

    @Test
    void hostEvidenceCarriesTheRealQuoteAndLogsByteForByte() throws Exception {
        List<Integer> indices = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14);
        EvidenceRequest request = new EvidenceRequest(RealEvidence.base64(evidence.nonce),
                List.of(new EvidenceRequest.PcrSelection("sha256", indices)), true, true);

        HostEvidence answer = client.hostEvidence(request);

        Base64.Decoder base64 = Base64.getDecoder();
        assertArrayEquals(evidence.nonce, base64.decode(answer.nonce()));
        assertArrayEquals(evidence.quoted, base64.decode(answer.quoted()));
        assertArrayEquals(evidence.signature, base64.decode(answer.signature()));
        assertArrayEquals(evidence.akPublic, base64.decode(answer.akPublic()));
        assertEquals(HexFormat.of().formatHex(evidence.akName), answer.akName());
        assertArrayEquals(evidence.eventLog, base64.decode(answer.eventLog()));
        assertArrayEquals(evidence.imaLog, base64.decode(answer.imaLog()));
        assertEquals(3, answer.ekCertificateChain().size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(evidence.ekCertificateChain.get(i), base64.decode(answer.ekCertificateChain().get(i)));
        }
        assertEquals(indices.size(), answer.pcrs().size());
        assertEquals(new HostEvidence.PcrValue("sha256", 0,
                "24af52a4f429b71a3184a6d64cddad17e54ea030e2aa6576bf3a5a3d8bd3328f"), answer.pcrs().get(0));
    }

    @Test
    void hostEvidenceWithoutLogsLeavesThemNull() throws Exception {
        HostEvidence answer = client.hostEvidence(new EvidenceRequest(RealEvidence.base64(evidence.nonce),
                List.of(new EvidenceRequest.PcrSelection("sha1", List.of(7))), false, false));
        assertNull(answer.eventLog());
        assertNull(answer.imaLog());
        assertEquals("ede7204673f41ac2592b0d3b4cd429b43f39dc61", answer.pcrs().get(0).value());
    }

    @Test
    void vmsAreListedAndDetailed() throws Exception {
        VmList list = client.vms();
        assertEquals(List.of("vm-web", "vm-db"), list.vms().stream().map(VmSummary::id).toList());
        assertNull(list.vms().get(1).name());

        VmDetails web = client.vm("vm-web");
        assertEquals(1L << 30, web.memoryBytes());
        assertEquals("vtpm-web", web.vtpmInstanceId());
        assertEquals(3, web.vtpmEpoch());
        assertEquals("kernel", web.launchMeasurements().get(1).component());
    }

    @Test
    void unknownVmIsNotFoundWithTheServiceMessage() {
        ManagementException e = failure(() -> client.vm("vm-nope"));
        assertServerError(e, ErrorCode.NOT_FOUND, 404);
        assertEquals("VM 'vm-nope' is not on this host", e.getMessage());
    }

    @Test
    void policyIsStoredReadListedAndProtectedAgainstLostUpdates() throws Exception {
        PolicySummary stored = client.putPolicy("policy-lab", new PolicyUpload(POLICY_TEXT, null));
        assertEquals(InMemoryManagementService.sha256(POLICY_TEXT), stored.digest());
        assertEquals(POLICY_TEXT.length(), stored.sizeBytes());

        PolicyDocument read = client.policy("policy-lab");
        assertEquals(POLICY_TEXT, read.text());
        assertTrue(client.policies().policies().stream().anyMatch(p -> p.id().equals("policy-lab")));

        String edited = POLICY_TEXT.replace("[0, 7]", "[0, 4, 7]");
        PolicySummary updated = client.putPolicy("policy-lab", new PolicyUpload(edited, read.digest()));
        assertEquals(InMemoryManagementService.sha256(edited), updated.digest());

        ManagementException stale = failure(() -> client.putPolicy("policy-lab",
                new PolicyUpload(POLICY_TEXT, read.digest())));
        assertServerError(stale, ErrorCode.CONFLICT, 409);
        assertTrue(stale.getMessage().contains(updated.digest()), stale::getMessage);
        assertEquals(edited, client.policy("policy-lab").text(), "a refused put must not change the policy");
    }

    @Test
    void invalidPolicyIsRefusedWithTheEngineReason() {
        ManagementException e = failure(() -> client.putPolicy("policy-bad", new PolicyUpload("{\"x\": 1}", null)));
        assertServerError(e, ErrorCode.INVALID_ARGUMENT, 400);
        assertTrue(e.getMessage().contains("'pcrs' is missing"), e::getMessage);
    }

    @Test
    void migrationIsAcceptedThenPolledThroughEveryPhaseToCommit() throws Exception {
        PolicySummary policy = client.putPolicy("policy-migrate", new PolicyUpload(POLICY_TEXT, null));
        MigrationStarted started = client.startMigration(new StartMigrationRequest("vm-web", "agent-b",
                "agent-b.example:7710", "policy-migrate", policy.digest()));

        MigrationStatus first = client.migration(started.migrationId());
        assertEquals("REQUEST", first.phase());
        assertFalse(first.finished());
        assertEquals(-1, first.bytesTotal());
        assertEquals(pki.administrator.toTlsCredentials().subject(), first.requestedBy());
        assertTrue(first.verdicts().stream().allMatch(v -> v.status().equals("PENDING")),
                "no verdict before attestation");

        List<String> phases = new ArrayList<>(List.of(first.phase()));
        MigrationStatus status = first;
        while (!status.finished()) {
            service.advance(started.migrationId());
            status = client.migration(started.migrationId());
            phases.add(status.phase());
        }
        assertEquals(Arrays.stream(MigrationStatus.Phase.values()).map(Enum::name).toList(), phases);
        assertEquals("COMMITTED", status.result().outcome());
        assertEquals(status.bytesTotal(), status.bytesTransferred());
        assertEquals(3, status.precopyRounds());
        assertTrue(status.verdicts().stream().allMatch(v -> v.status().equals("ACCEPTED")));
        assertEquals(policy.digest(), status.policyDigest());

        MigrationList list = client.migrations();
        assertTrue(list.migrations().stream().anyMatch(m -> m.migrationId().equals(started.migrationId())));
    }

    @Test
    void startedMigrationAnswers202WithTheStatusResourceInLocation() throws Exception {
        client.putPolicy("policy-location", new PolicyUpload(POLICY_TEXT, null));
        HttpResponse<String> response = raw.postJson("/v1/migrations",
                "{\"vmId\":\"vm-db\",\"destinationHostId\":\"agent-c\",\"destinationAddress\":null,"
                        + "\"policyId\":\"policy-location\",\"policyDigest\":null}");
        assertEquals(202, response.statusCode(), response::body);
        String id = response.body().replaceAll(".*\"migrationId\":\"([^\"]+)\".*", "$1");
        assertEquals("/v1/migrations/" + id, response.headers().firstValue("Location").orElse(null));
        assertEquals("REQUEST", client.migration(id).phase());

        ManagementException busy = failure(() -> client.startMigration(new StartMigrationRequest("vm-db", "agent-c",
                null, "policy-location", null)));
        assertServerError(busy, ErrorCode.CONFLICT, 409);
        assertTrue(busy.getMessage().contains("already being migrated by " + id), busy::getMessage);
    }

    @Test
    void migrationUnderAChangedPolicyIsAConflict() throws Exception {
        client.putPolicy("policy-changed", new PolicyUpload(POLICY_TEXT, null));
        String reviewed = "00".repeat(32);
        ManagementException e = failure(() -> client.startMigration(new StartMigrationRequest("vm-web", "agent-b", null,
                "policy-changed", reviewed)));
        assertServerError(e, ErrorCode.CONFLICT, 409);
    }

    @Test
    void auditIsPagedBySequenceNumberAndNamesTheActor() throws Exception {
        long start = client.audit(0, AuditPage.MAX_LIMIT).nextSequence();
        for (int i = 0; i < 3; i++) {
            client.putPolicy("policy-audit-" + i, new PolicyUpload(POLICY_TEXT, null));
        }
        AuditPage firstTwo = client.audit(start, 2);
        assertEquals(List.of(start, start + 1), firstTwo.records().stream().map(AuditRecord::sequence).toList());
        assertTrue(firstTwo.hasMore());
        assertEquals(start + 2, firstTwo.nextSequence());
        assertEquals(pki.administrator.toTlsCredentials().subject(), firstTwo.records().get(0).actor());
        assertEquals("POLICY_STORED", firstTwo.records().get(0).type());

        AuditPage rest = client.audit(firstTwo.nextSequence(), 100);
        assertTrue(rest.records().size() >= 1);
        assertEquals(start + 2, rest.records().get(0).sequence());
    }

    @Test
    void auditQueryParametersAreChecked() throws Exception {
        HttpResponse<String> zero = raw.get("/v1/audit?from=0&limit=0");
        assertEquals(400, zero.statusCode());
        assertTrue(zero.body().contains("query parameter limit"), zero::body);

        HttpResponse<String> tooMany = raw.get("/v1/audit?limit=" + (AuditPage.MAX_LIMIT + 1));
        assertEquals(400, tooMany.statusCode());

        HttpResponse<String> unknown = raw.get("/v1/audit?offset=3");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("unknown query parameter 'offset'"), unknown::body);

        HttpResponse<String> twice = raw.get("/v1/audit?from=1&from=2");
        assertEquals(400, twice.statusCode());
        assertTrue(twice.body().contains("appears twice"), twice::body);

        assertEquals(200, raw.get("/v1/audit").statusCode(), "both parameters are optional");
    }

    // --- identity and authorisation -----------------------------------------------------------------

    @Test
    void theServiceSeesTheAuthenticatedCertificate() throws Exception {
        service.callers.clear();
        client.vms();
        Caller caller = service.callers.get(0);
        TlsCredentials alice = pki.administrator.toTlsCredentials();
        assertEquals(alice.subject(), caller.subject());
        assertEquals("alice", caller.name());
        assertEquals(Role.ADMINISTRATOR, caller.role());
        assertEquals(alice.certificate().getSerialNumber().toString(16), caller.certificateSerial());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                alice.certificate().getEncoded())), caller.certificateSha256());
        assertTrue(caller.remoteAddress().startsWith("127.0.0.1:"), caller::remoteAddress);
    }

    @Test
    void vmIsStartedAndStoppedAndAStartOfARunningVmIsAConflict() throws Exception {
        VmDetails stopped = client.stopVm("vm-web");
        assertEquals("STOPPED", stopped.state());
        assertEquals("STOPPED", client.vm("vm-web").state());
        assertEquals("RUNNING", client.startVm("vm-web").state());
        ManagementException e = failure(() -> client.startVm("vm-web"));
        assertServerError(e, ErrorCode.CONFLICT, 409);
        assertEquals("VM 'vm-web' is RUNNING already", e.getMessage());
        assertServerError(failure(() -> client.stopVm("vm-nope")), ErrorCode.NOT_FOUND, 404);
    }

    @Test
    void peerIsEnrolledAndListedAndAnUnreachablePeerSaysSo() throws Exception {
        PeerSummary enrolled = client.enrolPeer(new EnrolPeerRequest("agent-b.example:7710"));
        assertEquals("agent-b.example:7710", enrolled.address());
        assertTrue(client.peers().peers().contains(enrolled), "the enrolled peer is listed");
        ManagementException e = failure(() -> client.enrolPeer(new EnrolPeerRequest("unreachable.example:7710")));
        assertServerError(e, ErrorCode.UNAVAILABLE, 503);
        assertEquals("peer unreachable.example:7710 does not answer", e.getMessage());
    }

    @Test
    void enrolmentOfAMalformedAddressIsRefusedBeforeTheService() throws Exception {
        service.calls.clear();
        HttpResponse<String> response = raw.postJson("/v1/peers", "{\"address\": \"no port here\"}");
        assertEquals(400, response.statusCode(), response::body);
        assertTrue(response.body().contains("is not host:port"), response::body);
        assertTrue(service.calls.isEmpty(), "a malformed request must not reach the service");
    }

    @Test
    void cancelEndsARunningMigrationAndLeavesAFinishedOneAsItIs() throws Exception {
        // other tests of this class may have left a run going; a VM has one run at a time
        String id = client.migrations().migrations().stream().filter(m -> !m.finished())
                .map(MigrationStatus::migrationId).findFirst().orElse(null);
        if (id == null) {
            PolicySummary policy = client.putPolicy("policy-cancel", new PolicyUpload(POLICY_TEXT, null));
            id = client.startMigration(new StartMigrationRequest("vm-db", "agent-b", "agent-b.example:7710",
                    "policy-cancel", policy.digest())).migrationId();
        }
        String started = id;
        MigrationStatus cancelled = client.cancelMigration(started);
        assertTrue(cancelled.finished());
        assertEquals("FAILED", cancelled.result().outcome());
        assertEquals("CANCELLED", cancelled.result().failureCode());
        assertEquals(cancelled.result(), client.cancelMigration(started).result(),
                "a second cancel changes nothing");
        assertServerError(failure(() -> client.cancelMigration("mig-nope")), ErrorCode.NOT_FOUND, 404);
    }

    @Test
    void anAgentMayNotEnrolPeersOrStartVms() throws Exception {
        ManagementClient peer = ManagementClient.create(baseUri(), pki.peerAgent.toTlsCredentials(),
                TestPki.PATIENT);
        service.calls.clear();
        assertServerError(failure(() -> peer.enrolPeer(new EnrolPeerRequest("agent-c.example:7710"))),
                ErrorCode.FORBIDDEN, 403);
        assertServerError(failure(() -> peer.startVm("vm-web")), ErrorCode.FORBIDDEN, 403);
        assertTrue(service.calls.isEmpty(), "a refused caller must not reach the service");
    }

    @Test
    void anAgentMayReadHostInformationButNotManageVms() throws Exception {
        ManagementClient peer = ManagementClient.create(baseUri(), pki.peerAgent.toTlsCredentials(),
                TestPki.PATIENT);
        assertEquals(service.hostInfo, peer.hostInfo());
        service.calls.clear();
        ManagementException e = failure(peer::vms);
        assertServerError(e, ErrorCode.FORBIDDEN, 403);
        assertEquals("role agent may not call GET /v1/vms", e.getMessage());
        assertTrue(service.calls.isEmpty(), "a refused caller must not reach the service");
    }

    // --- refusals of the server ----------------------------------------------------------------------

    @Test
    void unknownRoutesAreNotFound() throws Exception {
        for (String path : List.of("/v1/nothing", "/v2/host", "/v1/host/", "/", "/v1//host", "/v1/vms/vm-web/extra")) {
            HttpResponse<String> response = raw.get(path);
            assertEquals(404, response.statusCode(), path);
            assertTrue(response.body().startsWith("{\"error\":{\"code\":\"not_found\""), response::body);
            assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null));
        }
    }

    @Test
    void wrongMethodsAreNotAllowedAndTheAllowedOnesAreNamed() throws Exception {
        HttpResponse<String> delete = raw.send("DELETE", "/v1/vms", HttpRequest.BodyPublishers.noBody(), Map.of());
        assertEquals(405, delete.statusCode());
        assertEquals("GET", delete.headers().firstValue("Allow").orElse(null));
        assertTrue(delete.body().contains("\"method_not_allowed\""), delete::body);

        HttpResponse<String> policy = raw.send("POST", "/v1/policies/p1", HttpRequest.BodyPublishers.noBody(), Map.of());
        assertEquals(405, policy.statusCode());
        assertEquals("GET, PUT", policy.headers().firstValue("Allow").orElse(null));

        HttpResponse<String> head = raw.send("HEAD", "/v1/host", HttpRequest.BodyPublishers.noBody(), Map.of());
        assertEquals(405, head.statusCode());
        assertEquals("GET", head.headers().firstValue("Allow").orElse(null));
        assertEquals("", head.body(), "no body on HEAD");
    }

    @Test
    void malformedJsonIsRefusedNamingTheField() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"vmId\": 12, \"destinationHostId\": \"b\", \"destinationAddress\": null, \"policyId\": \"p\","
                + " \"policyDigest\": null}", "$.vmId: expected a string, found the number 12");
        cases.put("{\"vmid\": \"vm-web\"}", "$.vmid: unknown field");
        cases.put("{\"vmId\": \"vm-web\", \"destinationHostId\": \"b\"}", "$.policyId: is required");
        cases.put("{\"vmId\": \"vm web\", \"destinationHostId\": \"b\", \"policyId\": \"p\"}",
                "$.vmId: 'vm web' is not an id");
        cases.put("{\"vmId\": \"vm-web\", \"destinationHostId\": \"b\", \"policyId\": \"p\","
                + " \"destinationAddress\": \"b.example\"}", "$.destinationAddress: 'b.example' is not host:port");
        cases.put("{\"vmId\": \"vm-web\", \"vmId\": \"vm-db\"}", "field 'vmId' appears twice");
        cases.put("{\"vmId\": \"vm-web\",}", "malformed JSON");
        cases.put("{'vmId': 'vm-web'}", "malformed JSON");
        cases.put("", "empty document");
        cases.put("{\"" + "k".repeat(200_000) + "\": 1}", "unknown field");
        cases.put("{\"bell\\u0007\": 1}", "$['bell\\\\u0007']: unknown field");
        cases.put("[]", "$: expected an object, found an array");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            service.calls.clear();
            String shown = c.getKey().length() > 100 ? c.getKey().substring(0, 100) + "..." : c.getKey();
            HttpResponse<String> response = raw.postJson("/v1/migrations", c.getKey());
            assertEquals(400, response.statusCode(), shown);
            assertTrue(response.body().contains("\"malformed_request\""), response::body);
            assertTrue(response.body().contains(c.getValue()), () -> shown + " -> " + response.body());
            assertTrue(response.body().length() < 5000, "error messages are bounded");
            assertTrue(service.calls.isEmpty(), "a malformed request must not reach the service");
        }
    }

    @Test
    void aNestedFieldErrorCarriesItsFullPath() throws Exception {
        HttpResponse<String> response = raw.postJson("/v1/host/evidence", "{\"nonce\": \""
                + RealEvidence.base64(evidence.nonce) + "\", \"pcrSelection\": [{\"bank\": \"sha256\", "
                + "\"indices\": [1, \"2\"]}], \"includeEventLog\": false, \"includeImaLog\": false}");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("$.pcrSelection[0].indices[1]: expected an integer, found a string"),
                response::body);
    }

    @Test
    void evidenceForPcrsOutsideTheQuoteIsAnInvalidArgument() {
        ManagementException e = failure(() -> client.hostEvidence(new EvidenceRequest(
                RealEvidence.base64(evidence.nonce), List.of(new EvidenceRequest.PcrSelection("sha256", List.of(16))),
                false, false)));
        assertServerError(e, ErrorCode.INVALID_ARGUMENT, 400);
        assertEquals("PCR sha256:16 is not in the quote", e.getMessage());
    }

    @Test
    void wrongContentTypeIsUnsupported() throws Exception {
        HttpResponse<String> response = raw.send("POST", "/v1/migrations", HttpRequest.BodyPublishers.ofString("{}"),
                Map.of("Content-Type", "text/plain"));
        assertEquals(415, response.statusCode());
        assertTrue(response.body().contains("\"unsupported_media_type\""), response::body);
    }

    @Test
    void aBodyOnARequestThatTakesNoneIsRefused() throws Exception {
        HttpResponse<String> response = raw.send("GET", "/v1/vms", HttpRequest.BodyPublishers.ofString("{}"),
                Map.of("Content-Type", "application/json"));
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("takes no request body"), response::body);
    }

    @Test
    void aBodyOneByteOverTheLimitIsTooLarge() throws Exception {
        byte[] body = new byte[ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES + 1];
        Arrays.fill(body, (byte) ' ');
        service.calls.clear();
        HttpResponse<String> response = raw.send("POST", "/v1/migrations", HttpRequest.BodyPublishers.ofByteArray(body),
                Map.of("Content-Type", "application/json"));
        assertEquals(413, response.statusCode(), response::body);
        assertTrue(response.body().contains("\"payload_too_large\""), response::body);
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void aChunkedBodyOverTheLimitIsTooLarge() throws Exception {
        byte[] body = new byte[ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES + 4096];
        Arrays.fill(body, (byte) ' ');
        // A publisher of unknown length makes the client send the body chunked, without Content-Length.
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(new Flow.Publisher<ByteBuffer>() {
            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                HttpRequest.BodyPublishers.ofByteArray(body).subscribe(subscriber);
            }
        });
        HttpResponse<String> response = raw.send("POST", "/v1/host/evidence", chunked,
                Map.of("Content-Type", "application/json"));
        assertEquals(413, response.statusCode(), response::body);
        assertTrue(response.body().contains("more than " + ServerSettings.DEFAULT_MAX_REQUEST_BODY_BYTES + " bytes"),
                response::body);
    }

    @Test
    void aHugeDeclaredBodyIsRefusedBeforeItIsSent() throws Exception {
        String statusLine = raw.statusLineForHead("POST /v1/migrations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n");
        assertEquals("HTTP/1.1 413 Request Entity Too Large", statusLine);
    }

    @Test
    void tooManyHeaderFieldsAreRefused() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 70; i++) {
            headers.put("X-Padding-" + i, "x");
        }
        HttpResponse<String> response = raw.send("GET", "/v1/host", HttpRequest.BodyPublishers.noBody(), headers);
        assertEquals(431, response.statusCode());
        assertTrue(response.body().contains("\"headers_too_large\""), response::body);
    }

    @Test
    void badPathParametersAreRefusedBeforeTheService() throws Exception {
        service.calls.clear();
        for (String path : List.of("/v1/vms/vm%20web", "/v1/vms/%2E%2E", "/v1/vms/%C3%28", "/v1/vms/a%2Fb")) {
            HttpResponse<String> response = raw.get(path);
            assertEquals(400, response.statusCode(), path);
            assertTrue(response.body().contains("\"malformed_request\""), response::body);
        }
        // Not even a URI: no client library sends it, and the server must still refuse it cleanly.
        assertEquals("HTTP/1.1 400 Bad Request", raw.statusLineForHead("GET /v1/vms/%zz HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n\r\n"));
        assertTrue(service.calls.isEmpty());
    }

    @Test
    void aFaultInTheServiceIsAnInternalErrorWithoutItsDetails() throws Exception {
        ManagementException e = failure(() -> client.vm(InMemoryManagementService.FAULTY_VM));
        assertServerError(e, ErrorCode.INTERNAL_ERROR, 500);
        assertTrue(e.getMessage().matches("internal error; the agent log has incident [0-9a-f-]{36}"), e::getMessage);

        HttpResponse<String> response = raw.get("/v1/vms/" + InMemoryManagementService.FAULTY_VM);
        assertEquals(500, response.statusCode());
        assertFalse(response.body().contains(InMemoryManagementService.FAULT_DETAIL), response::body);
        assertFalse(response.body().contains("Exception"), response::body);
        assertFalse(response.body().contains("at org."), response::body);
    }

    // --- concurrency --------------------------------------------------------------------------------

    @Test
    void requestsAreServedInParallel() throws Exception {
        int parallel = 6;
        service.hostInfoBarrier = new CyclicBarrier(parallel);
        ExecutorService callers = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<HostInfo>> answers = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                answers.add(callers.submit(client::hostInfo));
            }
            // The barrier trips only when all six calls are inside the service at once.
            for (Future<HostInfo> answer : answers) {
                assertEquals(service.hostInfo, answer.get(30, TimeUnit.SECONDS));
            }
        } finally {
            service.hostInfoBarrier = null;
            callers.shutdownNow();
        }
    }

    @Test
    void manyConcurrentMixedRequestsEachGetTheirOwnAnswer() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Object>> answers = new ArrayList<>();
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String vm = i % 2 == 0 ? "vm-web" : "vm-db";
                Callable<Object> call = i % 3 == 0 ? client::hostInfo : () -> client.vm(vm).id();
                answers.add(callers.submit(call));
                expected.add(i % 3 == 0 ? service.hostInfo : vm);
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(expected.get(i), answers.get(i).get(30, TimeUnit.SECONDS), "answer " + i);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void responsesAreMarkedUncacheableJson() throws Exception {
        HttpResponse<String> response = raw.get("/v1/host");
        assertEquals(200, response.statusCode());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertNotNull(response.body());
        assertTrue(response.body().startsWith("{\"hostId\":\"agent-a\",\"tpmConnector\":"), response::body);
        assertEquals(StandardCharsets.UTF_8.name().toLowerCase(),
                response.headers().firstValue("Content-Type").orElse("").replaceAll(".*charset=", ""));
    }
}
