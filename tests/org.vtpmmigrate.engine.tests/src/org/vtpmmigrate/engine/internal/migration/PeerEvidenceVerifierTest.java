package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.tpm2.EkCertificateInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.engine.migration.PartyVerdict;
import org.vtpmmigrate.engine.migration.PeerAddress;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.protocol.BoundKey;
import org.vtpmmigrate.protocol.BoundKeyVerification;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.Verdict;
import org.vtpmmigrate.protocol.VerificationCheck;
import org.vtpmmigrate.protocol.wire.AttestationEvidence;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.PcrSelection;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * The verifier's layers on evidence from a real platform TPM: genuine evidence passes; a log that
 * hides an event, a quote over other PCRs, launch measurements the quote does not cover or that
 * differ from the VM's definition, a bound key certified over another transcript, and commits
 * signed over another payload or altered are each refused with their check.
 */
class PeerEvidenceVerifierTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String VM = "vm-judged";

    private SwtpmProcess swtpm;
    private HostPlatform platform;
    private PeerRegistry.Peer self;
    private ReferencePcrPolicy policy;
    private LaunchMeasurement launch;
    private final List<PartyVerdict> verdicts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        swtpm = SwtpmProcess.builder().pcrBanks("sha256").start();
        platform = HostPlatform.open(TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec())),
                HostPlatform.Settings.defaults());
        EkCertificateInfo ek = new EkCertificateInfo(List.of(EkCertificateValidator.parseCertificate(
                platform.ekCertificate().orElseThrow())), Optional.empty(), Optional.empty(), Optional.empty());
        self = new PeerRegistry.Peer("self", new PeerAddress("127.0.0.1", 7710),
                TpmPublic.parseTpm2b(platform.attestationKeyPublic().tpm2bPublic()),
                TpmPublic.parseTpm2b(platform.ekPublic().tpm2bPublic()), ek, Instant.now());
        launch = LaunchMeasurement.of(TestHost.vm(VM, 64));
        policy = ReferencePcrPolicy.fromHost("p", platform).allowVm(launch).build();
        platform.recordLaunch(VM, launch, TIMEOUT);
    }

    @AfterEach
    void stop() {
        platform.close();
        swtpm.close();
    }

    private static Bytes nonce() {
        byte[] n = new byte[32];
        new SecureRandom().nextBytes(n);
        return Bytes.of(n);
    }

    private PeerEvidenceVerifier sourceVerifier(LaunchMeasurement definedHere) {
        return new PeerEvidenceVerifier(self, policy, Role.SOURCE,
                Optional.of(new PeerEvidenceVerifier.ExpectedVm(VM, definedHere.events())), verdicts::add);
    }

    private PeerEvidenceVerifier destinationVerifier() {
        return new PeerEvidenceVerifier(self, policy, Role.DESTINATION, Optional.empty(), verdicts::add);
    }

    private AttestationEvidence sourceEvidence(Bytes nonce, PcrSelection selection) throws Exception {
        try (HostAttestor attestor = new HostAttestor(platform, Role.SOURCE, SourceRun.wire(launch),
                FaultInjection.NONE, TIMEOUT)) {
            return attestor.attest(nonce, selection);
        }
    }

    @Test
    void genuineSourceEvidenceIsAcceptedForHostAndVm() throws Exception {
        Bytes nonce = nonce();
        Verdict verdict = sourceVerifier(launch).verifyEvidence(sourceEvidence(nonce, policy.selection()), nonce,
                policy.selection());
        assertTrue(verdict.accepted(), verdict.describe());
        assertEquals(List.of(PartyVerdict.Party.SOURCE, PartyVerdict.Party.VM),
                verdicts.stream().map(PartyVerdict::party).toList());
        assertTrue(verdicts.stream().allMatch(PartyVerdict::accepted));
    }

    @Test
    void aLogThatHidesAMeasuredEventIsRefusedAndThePolicyNotConsulted() throws Exception {
        byte[] before = platform.eventLog();
        platform.measure(4, EventType.EV_POST_CODE, "hidden".getBytes(StandardCharsets.US_ASCII));
        Bytes nonce = nonce();
        AttestationEvidence genuine = sourceEvidence(nonce, policy.selection());
        AttestationEvidence hiding = new AttestationEvidence(genuine.quote(), genuine.signature(), genuine.pcrValues(),
                Bytes.of(before), genuine.imaLog(), genuine.launchMeasurements());

        Verdict verdict = sourceVerifier(launch).verifyEvidence(hiding, nonce, policy.selection());

        assertTrue(verdict.failed(VerificationCheck.EVENT_LOG), verdict.describe());
        assertTrue(verdict.describe().contains("sha256:4") || verdict.describe().contains("PCR 4"),
                verdict.describe());
        assertFalse(verdict.failed(VerificationCheck.POLICY), "the policy judged values the log cannot explain");
    }

    @Test
    void evidenceForOtherPcrsThanRequestedIsRefused() throws Exception {
        Bytes nonce = nonce();
        PcrSelection fewer = PcrSelection.of(HostPlatform.HASH.tpmAlgId(), 0, 1, 2, 15);
        Verdict verdict = sourceVerifier(launch).verifyEvidence(sourceEvidence(nonce, fewer), nonce,
                policy.selection());
        assertTrue(verdict.failed(VerificationCheck.PCR_SELECTION), verdict.describe());
    }

    @Test
    void launchMeasurementsTheQuoteDoesNotCoverOrThatDifferFromTheDefinitionAreRefused() throws Exception {
        // reported: a VM whose launch this host never measured
        LaunchMeasurement other = LaunchMeasurement.of(TestHost.vm(VM, 96));
        Bytes nonce = nonce();
        AttestationEvidence evidence;
        try (HostAttestor attestor = new HostAttestor(platform, Role.SOURCE, SourceRun.wire(other),
                FaultInjection.NONE, TIMEOUT)) {
            evidence = attestor.attest(nonce, policy.selection());
        }
        Verdict verdict = sourceVerifier(launch).verifyEvidence(evidence, nonce, policy.selection());
        assertTrue(verdict.describe().contains("not among the launch events the quote covers"), verdict.describe());
        assertTrue(verdict.describe().contains("its definition here measures"), verdict.describe());
        PartyVerdict vm = verdicts.stream().filter(v -> v.party() == PartyVerdict.Party.VM).findFirst().orElseThrow();
        assertTrue(vm.failed(VerificationCheck.LAUNCH_MEASUREMENT) && !vm.accepted(), vm.toString());
        PartyVerdict host = verdicts.stream().filter(v -> v.party() == PartyVerdict.Party.SOURCE).findFirst()
                .orElseThrow();
        assertTrue(host.accepted(), "the host itself is fine: " + host);
    }

    @Test
    void boundKeyAndCommitAreCheckedAgainstTheTranscriptAndThePayload() throws Exception {
        Bytes nonce = nonce();
        try (HostAttestor destination = new HostAttestor(platform, Role.DESTINATION, List.of(), FaultInjection.NONE,
                TIMEOUT)) {
            AttestationEvidence evidence = destination.attest(nonce, policy.selection());
            PeerEvidenceVerifier verifier = destinationVerifier();
            assertTrue(verifier.verifyEvidence(evidence, nonce, policy.selection()).accepted());

            Bytes transcript = Bytes.of(new byte[32]);
            byte[] other = new byte[32];
            other[0] = 1;
            try (BoundKey key = destination.createBoundKey(policy.selection(), evidence.pcrValues(), transcript)) {
                BoundKeyVerification good = verifier.verifyBoundKey(key.offer(), transcript, evidence,
                        policy.selection());
                assertTrue(good.verdict().accepted(), good.verdict().describe());
                BoundKeyVerification replayed = verifier.verifyBoundKey(key.offer(), Bytes.of(other), evidence,
                        policy.selection());
                assertTrue(replayed.verdict().failed(VerificationCheck.QUALIFYING_DATA),
                        replayed.verdict().describe());
            }

            Bytes payload = Bytes.of("VTPM-MIGRATE-COMMIT-V1 payload".getBytes(StandardCharsets.US_ASCII));
            Bytes signature = destination.signCommit(payload);
            assertTrue(verifier.verifyCommit(payload, signature, evidence).accepted());
            Verdict otherPayload = verifier.verifyCommit(Bytes.of(Arrays.copyOf(other, 8)), signature, evidence);
            assertTrue(otherPayload.failed(VerificationCheck.SIGNATURE), otherPayload.describe());
            byte[] flipped = signature.toByteArray();
            flipped[flipped.length - 1] ^= 1;
            Verdict forged = verifier.verifyCommit(payload, Bytes.of(flipped), evidence);
            assertTrue(forged.failed(VerificationCheck.SIGNATURE), forged.describe());
            Verdict garbage = verifier.verifyCommit(payload, Bytes.of(new byte[] {0, 1}), evidence);
            assertTrue(garbage.failed(VerificationCheck.MALFORMED_EVIDENCE), garbage.describe());
        }
    }
}
