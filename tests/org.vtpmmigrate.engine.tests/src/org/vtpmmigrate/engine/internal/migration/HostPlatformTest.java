package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.tpm2.QuoteVerifier;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.VerificationResult;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.tpm.PcrSelection;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * The host's platform TPM on a real swtpm: the simulated measured boot and the launch events it
 * logs replay to the PCRs the TPM quotes, and a saved log is continued after a restart only when it
 * still matches the TPM.
 */
class HostPlatformTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path temp;
    private SwtpmProcess swtpm;
    private TpmConnector connector;

    @BeforeEach
    void startTpm() {
        swtpm = SwtpmProcess.builder().pcrBanks("sha256").start();
        connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()));
    }

    @AfterEach
    void stopTpm() {
        swtpm.close();
    }

    @Test
    void theSimulatedBootAndLaunchEventsReplayToTheQuotedPcrs() throws Exception {
        LaunchMeasurement launch = LaunchMeasurement.of(VmConfig.builder().name("vm-a").memoryMiB(64).build());
        try (HostPlatform platform = HostPlatform.open(connector, HostPlatform.Settings.defaults())) {
            platform.recordLaunch("vm-a", launch, TIMEOUT);
            PcrSelection selection = HostPlatform.measuredPcrs(platform.launchPcr());
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            HostPlatform.PlatformQuote quote = platform.quote(nonce, selection);

            VerificationResult<?> verified = new QuoteVerifier().verify(
                    TpmPublic.parseTpm2b(platform.attestationKeyPublic().tpm2bPublic()), quote.quote().attest(),
                    quote.quote().signature(), PcrConversions.toAttest(quote.values()), nonce);
            assertTrue(verified.passed(), verified.summary());

            EventLog log = EventLog.parse(quote.eventLog());
            assertTrue(log.compare(PcrConversions.toAttest(quote.values())).matches(), "log does not replay");
            assertEquals(HostPlatform.replayProblem(quote.eventLog(), quote.values()), java.util.Optional.empty());
            List<TcgEvent> launchEvents = log.extendedEvents(HashAlgorithm.SHA256, 15);
            assertEquals(launch.events().size(), launchEvents.size());
            for (int i = 0; i < launchEvents.size(); i++) {
                StringBuilder problem = new StringBuilder();
                LaunchEvents.LaunchEvent decoded = LaunchEvents.decode(launchEvents.get(i), problem).orElseThrow(
                        () -> new AssertionError(problem.toString()));
                LaunchMeasurement.Event expected = launch.events().get(i);
                assertTrue(decoded.matches("vm-a", expected.name(), expected.contentDigest()), decoded.toString());
                assertArrayEquals(expected.extendDigest(), launchEvents.get(i).digest(HashAlgorithm.SHA256).get());
            }
            assertFalse(log.extendedEvents(HashAlgorithm.SHA256, 0).isEmpty());
        }
    }

    @Test
    void aRelabelledLaunchEventIsNotDecoded() throws Exception {
        LaunchMeasurement launch = LaunchMeasurement.of(VmConfig.builder().name("vm-b").memoryMiB(64).build());
        try (HostPlatform platform = HostPlatform.open(connector, HostPlatform.Settings.defaults())) {
            platform.recordLaunch("vm-b", launch, TIMEOUT);
            byte[] logBytes = platform.eventLog();
            // turn "name=firmware" into "name=firmwarf": same digest, other claimed measurement
            String text = new String(logBytes, StandardCharsets.ISO_8859_1).replace("name=firmware", "name=firmwarf");
            EventLog tampered = EventLog.parse(text.getBytes(StandardCharsets.ISO_8859_1));
            TcgEvent first = tampered.extendedEvents(HashAlgorithm.SHA256, 15).get(0);
            StringBuilder problem = new StringBuilder();
            assertTrue(LaunchEvents.decode(first, problem).isEmpty());
            assertTrue(problem.toString().contains("not the extend digest"), problem.toString());
        }
    }

    @Test
    void aSavedLogIsContinuedAfterARestartAndRefusedWhenThePcrsMovedWithoutIt() throws Exception {
        Path logFile = temp.resolve("host-events.bin");
        HostPlatform.Settings settings = HostPlatform.Settings.defaults().withEventLogFile(logFile);
        byte[] before;
        try (HostPlatform platform = HostPlatform.open(connector, settings)) {
            platform.measure(8, EventType.EV_POST_CODE, "runtime measurement".getBytes(StandardCharsets.US_ASCII));
            before = platform.eventLog();
        }
        try (HostPlatform again = HostPlatform.open(connector, settings)) {
            assertArrayEquals(before, again.eventLog(), "the saved log was not continued");
        }
        // someone extends PCR 4 behind the engine's back: the saved log no longer describes the TPM
        swtpm.runTool("tpm2_pcrextend", "4:sha256=" + "11".repeat(32)).requireSuccess();
        PlatformException e = assertThrows(PlatformException.class, () -> HostPlatform.open(connector, settings));
        assertTrue(e.getMessage().contains("PCR 4") || e.getMessage().contains("sha256:4"), e.getMessage());
        // and without a saved log, a TPM that is not fresh cannot get a simulated boot
        PlatformException noLog = assertThrows(PlatformException.class,
                () -> HostPlatform.open(connector, HostPlatform.Settings.defaults()));
        assertTrue(noLog.getMessage().contains("already extended"), noLog.getMessage());
    }

    @Test
    void aKeyBoundToTheAttestedPcrsIsUnusableOnceTheyChange() throws Exception {
        try (HostPlatform platform = HostPlatform.open(connector, HostPlatform.Settings.defaults())) {
            PcrSelection selection = HostPlatform.measuredPcrs(platform.launchPcr());
            try (HostPlatform.StateLease lease = platform.acquireStateLease(TIMEOUT)) {
                HostPlatform.CertifiedBoundKey key = platform.createBoundKey(platform.readPcrs(selection),
                        new byte[32]);
                platform.measure(7, EventType.EV_POST_CODE, "late change".getBytes(StandardCharsets.US_ASCII));
                ECPoint point = ((ECPublicKey) KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic())
                        .getW();
                PlatformException e = assertThrows(PlatformException.class, () -> platform.ecdhZGen(key.key(), point));
                assertEquals(PlatformException.Kind.POLICY_CHECK_FAILED, e.kind(), e.getMessage());
                platform.closeKey(key.key());
            }
            // the lease is free again: a launch can be measured, and it moves the launch PCR
            PcrSelection launchPcr = PcrSelection.of(HostPlatform.BANK, platform.launchPcr());
            byte[] before = platform.readPcrs(launchPcr).value(HostPlatform.BANK, platform.launchPcr());
            platform.recordLaunch("vm-c", LaunchMeasurement.of(VmConfig.builder().name("vm-c").memoryMiB(64).build()),
                    Duration.ofSeconds(1));
            assertFalse(java.util.Arrays.equals(before,
                    platform.readPcrs(launchPcr).value(HostPlatform.BANK, platform.launchPcr())));
        }
    }
}
