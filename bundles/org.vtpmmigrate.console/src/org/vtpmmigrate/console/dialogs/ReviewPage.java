package org.vtpmmigrate.console.dialogs;

import java.util.Optional;
import java.util.SortedSet;

import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.parts.Styles;
import org.vtpmmigrate.management.VmDetails;

/**
 * Step 3: the evidence of the source host, the destination host and the VM under the chosen policy,
 * as the console checked it just now. The agents check it again during the protocol; this page shows
 * what they will find.
 */
final class ReviewPage extends WizardPage {
    static final String TITLE = "Review the evidence";

    private final MigrationWizard wizard;
    private Text text;
    private VmDetails vm;
    private Failure vmProblem;
    private Failure sourceProblem;
    private String reviewedKey;

    ReviewPage(MigrationWizard wizard) {
        super("review");
        this.wizard = wizard;
        setTitle(TITLE);
        setDescription("What the source, the destination and the VM show under the chosen policy.");
        setPageComplete(false);
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().applyTo(c);
        text = new Text(c, SWT.BORDER | SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL);
        text.setFont(Styles.monospace());
        GridDataFactory.fillDefaults().grab(true, true).applyTo(text);
        setControl(c);
    }

    @Override
    public void setVisible(boolean visible) {
        super.setVisible(visible);
        MigrationWizard.Choice ch = wizard.choice;
        String key = ch.sourceHostId + "/" + (ch.vm == null ? "" : ch.vm.id()) + "/" + ch.destinationHostId + "/"
                + (ch.policy == null ? "" : ch.policy.document().digest());
        if (!visible || key.equals(reviewedKey) || ch.parsedPolicy().isEmpty()) {
            return;
        }
        reviewedKey = key;
        ch.sourceEvidence = null;
        vm = null;
        vmProblem = null;
        sourceProblem = null;
        setPageComplete(false);
        show();
        Policy policy = ch.parsedPolicy().get();
        wizard.model.attest(ch.sourceHostId, policy, report -> later(() -> ch.sourceEvidence = report),
                failure -> later(() -> sourceProblem = failure));
        wizard.model.vm(ch.sourceHostId, ch.vm.id(), details -> later(() -> vm = details),
                failure -> later(() -> vmProblem = failure));
    }

    private void later(Runnable change) {
        wizard.later(() -> {
            if (!text.isDisposed()) {
                change.run();
                show();
            }
        });
    }

    private void show() {
        MigrationWizard.Choice ch = wizard.choice;
        Policy policy = ch.parsedPolicy().orElse(null);
        StringBuilder out = new StringBuilder();
        out.append("Moving VM ").append(ch.vm.id()).append(" from ").append(ch.sourceHostId).append(" to ")
                .append(ch.destinationHostId).append(" under policy ").append(ch.policy.document().id())
                .append("\n\n");
        host(out, "SOURCE " + ch.sourceHostId, ch.sourceEvidence, sourceProblem);
        host(out, "DESTINATION " + ch.destinationHostId, ch.destinationEvidence, null);
        out.append("VM ").append(ch.vm.id()).append('\n');
        if (vm == null) {
            out.append(vmProblem == null ? "  reading its details...\n" : "  not read: " + vmProblem.oneLine() + "\n");
        } else {
            out.append("  ").append(vm.name() == null ? "(no name)" : vm.name()).append(", ").append(vm.state())
                    .append(", ").append(vm.vcpus()).append(" vCPUs, ").append(vm.memoryBytes() / (1024 * 1024))
                    .append(" MiB\n");
            out.append("  vTPM ").append(vm.vtpmInstanceId()).append(", state epoch ").append(vm.vtpmEpoch())
                    .append('\n');
            Optional<Policy.VmLaunchRules> rules = policy == null ? Optional.empty() : policy.vmLaunch();
            for (VmDetails.LaunchMeasurement m : vm.launchMeasurements()) {
                String verdict = rules.map(r -> {
                    SortedSet<String> allowed = r.allowed().get(m.component());
                    return allowed == null ? "NOT on the policy's launch allowlist"
                            : allowed.contains(m.digest()) ? "allowed by the policy" : "digest NOT allowed by the policy";
                }).orElse("the policy has no launch rules");
                out.append("  ").append(String.format("%-10s", m.component())).append(m.algorithm()).append(':')
                        .append(m.digest(), 0, Math.min(16, m.digest().length())).append("...  ").append(verdict)
                        .append('\n');
            }
            if (vm.launchMeasurements().isEmpty()) {
                out.append("  no launch measurements reported\n");
            }
        }
        text.setText(out.toString());
        boolean ready = ch.sourceEvidence != null && ch.destinationEvidence != null && vm != null;
        if (sourceProblem != null || vmProblem != null) {
            setMessage("Not everything could be checked; the source agent will check again and refuse if it must.",
                    IMessageProvider.WARNING);
        } else if (ready && (ch.sourceEvidence.judgement() == EvidenceReport.Judgement.UNTRUSTED
                || ch.destinationEvidence.judgement() == EvidenceReport.Judgement.UNTRUSTED)) {
            setMessage("A host is UNTRUSTED under this policy: the migration will be refused at attestation.",
                    IMessageProvider.WARNING);
        } else if (ready) {
            setMessage("Both hosts are trusted under " + ch.policy.document().id() + ". Next starts the migration.",
                    IMessageProvider.INFORMATION);
        }
        setPageComplete(ready || sourceProblem != null || vmProblem != null);
    }

    private static void host(StringBuilder out, String title, EvidenceReport report, Failure problem) {
        out.append(title).append('\n');
        if (report == null) {
            out.append(problem == null ? "  checking its evidence...\n" : "  not checked: " + problem.oneLine() + "\n");
        } else {
            out.append("  ").append(report.judgement()).append(report.firstReason().isEmpty() ? ""
                    : ": " + report.firstReason()).append("  (evidence of ").append(report.receivedAt()).append(")\n");
            for (Finding f : report.findings()) {
                out.append("  ").append(f.severity()).append(' ').append(f.category().title()).append(", ")
                        .append(f.location().subject()).append(": ").append(f.message()).append('\n');
            }
        }
        out.append('\n');
    }
}
