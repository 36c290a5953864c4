package org.vtpmmigrate.attest.policy.internal;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Finding.Category;
import org.vtpmmigrate.attest.policy.Finding.Location;
import org.vtpmmigrate.attest.policy.LaunchLog;
import org.vtpmmigrate.attest.policy.Policy;

/**
 * The VM's launch measurements against the VM allowlist (the "malicious VM" defence), and the
 * launch log against the quoted launch PCR, which ties the host's account of what it launched to
 * what it measured into its TPM.
 */
final class LaunchCheck {
    private final Evaluation e;

    LaunchCheck(Evaluation e) {
        this.e = e;
    }

    void run() {
        Optional<Policy.VmLaunchRules> rules = e.policy.vmLaunch();
        Optional<LaunchLog> maybeLog = e.evidence.launchLog();
        if (rules.isEmpty()) {
            return;
        }
        if (maybeLog.isEmpty()) {
            e.findings.error(Category.EVIDENCE, Location.of("VM launch measurements"), "the VM's launch measurements",
                    "none", "The policy checks what the VM was launched from, and the host sent no launch measurements.",
                    "");
            return;
        }
        LaunchLog log = maybeLog.get();
        Policy.VmLaunchRules r = rules.get();
        String vm = log.vm().map(v -> "VM " + v).orElse("the VM");
        Set<String> seen = new HashSet<>();
        for (LaunchLog.Event ev : log.vmEvents()) {
            Location where = where(ev.name());
            if (!seen.add(ev.name())) {
                e.findings.error(Category.VM_LAUNCH, where, "one " + ev.name() + " measurement", "two or more",
                        "The " + ev.name() + " of " + vm + " was measured more than once; a launch measures each input"
                                + " once.", ev.toString());
                continue;
            }
            SortedSet<String> allowed = r.allowed().get(ev.name());
            String hex = ev.contentDigestHex();
            if (allowed == null) {
                e.findings.error(Category.VM_LAUNCH, where, "one of " + r.allowed().keySet(), ev.name(),
                        "The launch of " + vm + " measured a " + ev.name() + ", which the VM allowlist does not"
                                + " provide for.", ev.toString());
            } else if (!allowed.contains(hex)) {
                e.findings.error(Category.VM_LAUNCH, where, Findings.oneOf(allowed, "SHA-256 digest"), hex,
                        "The " + ev.name() + " " + vm + " was launched with is not an approved one (its SHA-256 is not"
                                + " on the VM allowlist): the VM may be malicious.", ev.toString());
            }
        }
        for (String name : r.allowed().keySet()) {
            if (!seen.contains(name)) {
                e.findings.error(Category.VM_LAUNCH, where(name), "a " + name + " measurement", "none",
                        "The launch of " + vm + " has no " + name + " measurement, which the VM allowlist requires.", "");
            }
        }
        OptionalInt pcr = r.pcr();
        if (pcr.isEmpty()) {
            e.findings.warning(Category.VM_LAUNCH, Location.of("VM launch measurements"), "", "",
                    "The policy names no launch PCR, so the launch measurements are the host's word only; naming the"
                            + " PCR the host extends them into ties them to the quote.", "");
            return;
        }
        Optional<byte[]> quoted = e.claimed.get(HashAlgorithm.SHA256, pcr.getAsInt());
        if (quoted.isEmpty()) {
            return; // reported as a selection failure
        }
        byte[] replayed = log.replay();
        if (!java.util.Arrays.equals(replayed, quoted.get())) {
            e.findings.error(Category.VM_LAUNCH, Location.pcr(HashAlgorithm.SHA256, pcr.getAsInt()),
                    HexFormat.of().formatHex(quoted.get()), HexFormat.of().formatHex(replayed),
                    "The launch measurements do not replay to the value the TPM quoted for launch PCR " + pcr.getAsInt()
                            + ": the host's account of what it launched is not what it measured.",
                    "expected = quoted value, actual = replay of " + log.events().size() + " launch events:\n"
                            + Findings.listEntries(log.events(), LaunchLog.Event::toString));
        }
    }

    private static Location where(String name) {
        return new Location("launch measurement " + name, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                Optional.empty());
    }
}
