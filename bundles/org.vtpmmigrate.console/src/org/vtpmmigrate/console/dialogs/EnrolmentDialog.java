package org.vtpmmigrate.console.dialogs;

import java.security.cert.X509Certificate;
import java.util.Optional;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EkChain;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.ModelEvents;
import org.vtpmmigrate.console.parts.Styles;
import org.vtpmmigrate.management.HostInfo;

/**
 * A host's enrolment: what the agent reports (EK certificate, AK, when), what the console can check
 * itself from fresh evidence (the EK certificate chain against the trusted TPM CAs, and whether the
 * AK that quotes now is the enrolled one), what it cannot (credential activation runs on the
 * agent), and the peers the agent has enrolled in turn ("Enrol peer..." in the Hosts part adds one).
 */
public final class EnrolmentDialog extends Dialog {
    public static final String TITLE_PREFIX = "Enrolment of ";
    static final int CHECK_ID = IDialogConstants.CLIENT_ID + 1;

    private final ConsoleModel model;
    private final String hostId;
    private Text text;
    private final ModelEvents.Listener listener;

    public EnrolmentDialog(Shell parent, ConsoleModel model, String hostId) {
        super(parent);
        this.model = model;
        this.hostId = hostId;
        setShellStyle(getShellStyle() | SWT.RESIZE);
        listener = (topic, subject) -> {
            if (topic == ModelEvents.Topic.AGENT && hostId.equals(subject)) {
                parent.getDisplay().asyncExec(this::update);
            }
        };
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE_PREFIX + hostId);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        Label note = new Label(area, SWT.WRAP);
        note.setText("Enrolment proves the host's attestation key lives in its TPM: the EK certificate must chain"
                + " to a trusted TPM manufacturer CA, and the AK must be activated against that EK (TPM2_MakeCredential"
                + " / ActivateCredential). Activation runs on the agent; the console checks what it can from fresh"
                + " evidence.");
        GridDataFactory.fillDefaults().grab(true, false).hint(640, SWT.DEFAULT).applyTo(note);
        text = new Text(area, SWT.BORDER | SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.WRAP);
        text.setFont(Styles.monospace());
        GridDataFactory.fillDefaults().grab(true, true).hint(640, 320).applyTo(text);
        model.events().add(listener);
        area.addListener(SWT.Dispose, e -> model.events().remove(listener));
        update();
        if (model.agents().get(hostId).flatMap(Agent::lastAttestation).isEmpty()) {
            model.attest(hostId);
        }
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, CHECK_ID, "Check again", false);
        createButton(parent, IDialogConstants.OK_ID, IDialogConstants.CLOSE_LABEL, true);
    }

    @Override
    protected void buttonPressed(int id) {
        if (id == CHECK_ID) {
            model.refresh(hostId);
            model.attest(hostId);
        } else {
            super.buttonPressed(id);
        }
    }

    /** The text shown, for UI tests. */
    public String shownText() {
        return text.getText();
    }

    private void update() {
        if (text == null || text.isDisposed()) {
            return;
        }
        Optional<Agent> agent = model.agents().get(hostId);
        StringBuilder out = new StringBuilder();
        if (agent.isEmpty()) {
            text.setText(hostId + " is no longer listed.");
            return;
        }
        Agent a = agent.get();
        out.append("As the agent reports\n");
        if (a.hostInfo() == null) {
            out.append("  not known: ").append(a.contactProblem() == null ? "the agent has not answered yet"
                    : a.contactProblem().oneLine()).append('\n');
        } else {
            HostInfo.Enrolment e = a.hostInfo().enrolment();
            out.append("  state:           ").append(e.state()).append('\n');
            out.append("  EK certificate:  ").append(e.ekCertificateSubject() == null ? "none read"
                    : e.ekCertificateSubject()).append('\n');
            out.append("  AK name:         ").append(e.akName() == null ? "none" : e.akName()).append('\n');
            out.append("  enrolled at:     ").append(e.enrolledAt() == null ? "-" : e.enrolledAt()).append('\n');
            if (e.reason() != null) {
                out.append("  reason:          ").append(e.reason()).append('\n');
            }
        }
        out.append("\nAs the console checks it\n");
        Optional<EvidenceReport> report = a.lastAttestation();
        if (report.isEmpty()) {
            out.append(a.attesting() ? "  requesting fresh evidence...\n" : a.attestationProblem() != null
                    ? "  no evidence: " + a.attestationProblem().oneLine() + "\n" : "  no evidence yet\n");
        } else {
            EvidenceReport r = report.get();
            EkChain chain = EkChain.check(r.evidence().ekCertificateChain(), model.ekCaCertificates());
            out.append("  EK chain:        ").append(chain.trusted() ? "trusted" : "NOT trusted").append(" - ")
                    .append(chain.explanation()).append('\n');
            for (X509Certificate c : chain.certificates()) {
                out.append("    ").append(c.getSubjectX500Principal()).append("\n      issued by ")
                        .append(c.getIssuerX500Principal()).append(", valid until ").append(c.getNotAfter()
                                .toInstant()).append('\n');
            }
            out.append("  quoting AK:      ").append(r.evidence().akName()).append('\n');
            out.append("  AK activation:   ").append(r.akBoundToEk() ? "the quoting AK is the enrolled AK"
                    : "the quoting AK is NOT the AK the agent reports as enrolled").append(" (activation itself runs"
                            + " on the agent)").append('\n');
            out.append("  evidence from:   ").append(r.receivedAt()).append('\n');
        }
        out.append("\nPeers this agent has enrolled\n");
        if (a.peers() == null) {
            out.append("  not listed\n");
        } else if (a.peers().isEmpty()) {
            out.append("  none: enrol the hosts it migrates with (Enrol peer... in the Hosts part)\n");
        } else {
            a.peers().forEach(p -> out.append("  ").append(p.hostId()).append(" at ").append(p.address())
                    .append(", EK ").append(p.ekCertificateSubject()).append(", since ").append(p.enrolledAt())
                    .append('\n'));
        }
        text.setText(out.toString());
    }
}
