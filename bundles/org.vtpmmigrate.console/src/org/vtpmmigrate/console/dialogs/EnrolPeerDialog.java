package org.vtpmmigrate.console.dialogs;

import java.util.List;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.parts.ProblemLine;
import org.vtpmmigrate.management.PeerSummary;

/**
 * Enrols another host on the selected agent: the agent contacts the other host's migration protocol,
 * checks its EK certificate chain and activates a credential for its AK. Only enrolled hosts can be
 * migration partners. The dialog stays open to show what the agent answered.
 */
public final class EnrolPeerDialog extends Dialog {
    public static final String TITLE_PREFIX = "Enrol a peer on ";
    public static final String ENROL_LABEL = "Enrol";
    static final int ENROL_ID = IDialogConstants.CLIENT_ID + 2;

    private final ConsoleModel model;
    private final String hostId;
    private final Display display;
    private Combo peer;
    private Text address;
    private ProblemLine result;
    private boolean running;

    public EnrolPeerDialog(Shell parent, ConsoleModel model, String hostId) {
        super(parent);
        this.model = model;
        this.hostId = hostId;
        this.display = parent.getDisplay();
        setShellStyle(getShellStyle() | SWT.RESIZE);
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE_PREFIX + hostId);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(area);
        Label note = new Label(area, SWT.WRAP);
        note.setText(hostId + " contacts the other host's migration protocol, checks that its EK certificate chains"
                + " to a trusted TPM manufacturer CA and that its attestation key activates a credential made for"
                + " that EK. Enrol both ways: each host must know the other.");
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).hint(560, SWT.DEFAULT).applyTo(note);
        new Label(area, SWT.NONE).setText("Host:");
        peer = new Combo(area, SWT.READ_ONLY);
        List<String> others = model.agents().all().stream().map(Agent::hostId).filter(id -> !id.equals(hostId))
                .toList();
        peer.setItems(others.toArray(String[]::new));
        GridDataFactory.fillDefaults().grab(true, false).applyTo(peer);
        new Label(area, SWT.NONE).setText("Protocol address:");
        address = new Text(area, SWT.BORDER);
        address.setMessage("host:port of its migration protocol (not its management port)");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(address);
        result = new ProblemLine(area);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(result.control());
        peer.addListener(SWT.Selection, e -> peerChosen());
        address.addListener(SWT.Modify, e -> validate());
        if (!others.isEmpty()) {
            peer.select(0);
            peerChosen();
        } else {
            result.note("No other host is listed: add the host to enrol first.");
        }
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, ENROL_ID, ENROL_LABEL, true);
        createButton(parent, IDialogConstants.OK_ID, IDialogConstants.CLOSE_LABEL, false);
        validate();
    }

    @Override
    protected void buttonPressed(int id) {
        if (id == ENROL_ID) {
            enrol();
        } else {
            super.buttonPressed(id);
        }
    }

    /** The message shown under the fields, for UI tests. */
    public String resultText() {
        return result.text();
    }

    private void peerChosen() {
        int i = peer.getSelectionIndex();
        if (i < 0) {
            return;
        }
        String other = peer.getItem(i);
        String known = model.peerAddressOf(other).orElse(model.agents().get(other)
                .map(a -> a.baseUri().getHost() + ":").orElse(""));
        address.setText(known);
        validate();
    }

    /** The address typed, or null after saying why it is none. */
    private String validAddress() {
        String text = address.getText().strip();
        int colon = text.lastIndexOf(':');
        String why = null;
        if (text.isEmpty()) {
            why = "Enter the host's protocol address, host:port.";
        } else if (colon <= 0 || colon == text.length() - 1) {
            why = "'" + text + "' is not host:port.";
        } else {
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    why = "Port " + port + " is not from 1 to 65535.";
                }
            } catch (NumberFormatException e) {
                why = "'" + text.substring(colon + 1) + "' is not a port number.";
            }
        }
        if (why != null) {
            result.note(why);
            return null;
        }
        return text;
    }

    private void validate() {
        Button enrol = getButton(ENROL_ID);
        if (enrol == null || address == null) {
            return;
        }
        String valid = validAddress();
        if (valid != null && !running) {
            result.clear();
        }
        enrol.setEnabled(valid != null && peer.getSelectionIndex() >= 0 && !running);
    }

    private void enrol() {
        String target = validAddress();
        if (target == null) {
            return;
        }
        String other = peer.getItem(peer.getSelectionIndex());
        running = true;
        validate();
        result.note("Asking " + hostId + " to enrol " + other + " at " + target + "...");
        model.enrolPeer(hostId, target, enrolled -> later(() -> done(enrolled, null)),
                failure -> later(() -> done(null, failure)));
    }

    private void done(PeerSummary enrolled, Failure failure) {
        running = false;
        if (enrolled != null) {
            result.note(hostId + " enrolled " + enrolled.hostId() + " (EK " + enrolled.ekCertificateSubject()
                    + ", AK " + enrolled.akName().substring(0, Math.min(16, enrolled.akName().length())) + "...).");
        } else {
            result.show(failure);
        }
        Button enrol = getButton(ENROL_ID);
        if (enrol != null) {
            enrol.setEnabled(true);
        }
    }

    private void later(Runnable work) {
        if (!display.isDisposed()) {
            display.asyncExec(() -> {
                if (getShell() != null && !getShell().isDisposed()) {
                    work.run();
                }
            });
        }
    }
}
