package org.vtpmmigrate.engine.internal.host;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.policy.Evidence;
import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyGenerator;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.VmDetails;

/**
 * A migration policy made from a host's verified evidence ("trust hosts in exactly this state") and
 * the launch measurements of the VMs it may move, as an administrator makes one for a first run.
 */
public final class EvidencePolicies {
    /** The SHA-256 PCR hosts extend VM launches into. */
    public static final int LAUNCH_PCR = 15;

    private EvidencePolicies() {
    }

    /**
     * Asks {@code host} for fresh evidence (a new nonce, SHA-256 PCRs 0-7 and the launch PCR, with
     * its event log) and makes the policy from it.
     *
     * @throws EvidenceRejectedException if that evidence does not verify
     */
    public static Policy fromHost(String policyId, ManagementService host, List<VmDetails> allowedVms)
            throws ManagementException, EvidenceRejectedException {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        HostEvidence evidence = host.hostEvidence(new EvidenceRequest(Base64.getEncoder().encodeToString(nonce),
                List.of(new EvidenceRequest.PcrSelection("sha256", List.of(0, 1, 2, 3, 4, 5, 6, 7, LAUNCH_PCR))), true,
                false));
        return fromEvidence(policyId, evidence, nonce, allowedVms);
    }

    /**
     * @param evidence a host's answer to an evidence request with {@code nonce}, with its event log,
     *     over the SHA-256 PCRs to pin and the launch PCR {@value #LAUNCH_PCR}
     * @throws EvidenceRejectedException if the evidence does not verify (quote, nonce, log replay)
     * @throws IllegalArgumentException if the evidence cannot even be decoded
     */
    public static Policy fromEvidence(String policyId, HostEvidence evidence, byte[] nonce, List<VmDetails> allowedVms)
            throws EvidenceRejectedException {
        if (evidence.pcrs().stream().noneMatch(v -> v.bank().equals("sha256") && v.index() == LAUNCH_PCR)) {
            throw new IllegalArgumentException("the evidence of " + evidence.hostId() + " does not quote the launch PCR"
                    + " sha256:" + LAUNCH_PCR + ", which the policy must cover");
        }
        PcrValues.Builder claimed = PcrValues.builder();
        HexFormat hex = HexFormat.of();
        for (HostEvidence.PcrValue v : evidence.pcrs()) {
            HashAlgorithm bank = HashAlgorithm.fromBankName(v.bank()).orElseThrow(() -> new IllegalArgumentException(
                    "the evidence of " + evidence.hostId() + " names an unknown PCR bank '" + v.bank() + "'"));
            claimed.put(bank, v.index(), hex.parseHex(v.value()));
        }
        Base64.Decoder b64 = Base64.getDecoder();
        Evidence.Builder builder;
        try {
            builder = Evidence.builder(Evidence.Quote.of(TpmPublic.parseTpm2b(b64.decode(evidence.akPublic())),
                    b64.decode(evidence.quoted()), b64.decode(evidence.signature()), claimed.build(), nonce));
            if (evidence.eventLog() != null) {
                builder.eventLog(EventLog.parse(b64.decode(evidence.eventLog())));
            }
        } catch (TpmFormatException | InvalidKeyException | EventLogFormatException e) {
            throw new IllegalArgumentException("the evidence of " + evidence.hostId() + " cannot be decoded: "
                    + e.getMessage(), e);
        }
        Policy generated = PolicyGenerator.fromEvidence(builder.build(), PolicyGenerator.Options.of(policyId)
                .withLaunchPcr(LAUNCH_PCR).withDescription("Made from the evidence of " + evidence.hostId()))
                .policy();
        SortedMap<String, SortedSet<String>> allowed = new TreeMap<>();
        for (VmDetails vm : allowedVms) {
            for (VmDetails.LaunchMeasurement m : vm.launchMeasurements()) {
                allowed.computeIfAbsent(m.component(), c -> new TreeSet<>()).add(m.digest());
            }
        }
        // the boot's event types, and the launch events VMs add later; no per-event digests: the pinned
        // PCR values already fix the boot's events, and the launch allowlist judges the launches
        SortedSet<Long> types = new TreeSet<>(generated.eventLog().map(Policy.EventLogRules::acceptedTypes)
                .orElse(Policy.EventLogRules.knownTypes()));
        types.add(EventType.EV_EVENT_TAG.value());
        return generated.toBuilder()
                .eventLog(new Policy.EventLogRules(true, types, Map.of(), Map.of()))
                .vmLaunch(new Policy.VmLaunchRules(OptionalInt.of(LAUNCH_PCR), allowed)).build();
    }
}
