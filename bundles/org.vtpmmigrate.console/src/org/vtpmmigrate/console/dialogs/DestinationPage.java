package org.vtpmmigrate.console.dialogs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AgentPolicies;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.console.parts.Styles;

/**
 * Step 2: the policy (one the source agent holds) and the destination. Every other host is shown with
 * the verdict its fresh evidence gets under that policy, checked by the console now; a host that does
 * not answer is shown as unreachable, not as untrusted.
 */
final class DestinationPage extends WizardPage {
    static final String TITLE = "Choose the destination";

    private final MigrationWizard wizard;
    private Combo policyCombo;
    private Label policyNote;
    private Table table;
    private String loadedFor;
    private List<AgentPolicies.StoredPolicy> stored = List.of();
    private final Map<String, Prediction> predictions = new LinkedHashMap<>();
    private int generation;

    /** What is known of one candidate destination. */
    record Prediction(String hostId, Reachability reachability, EvidenceReport report, Failure problem,
            boolean checking) {
    }

    DestinationPage(MigrationWizard wizard) {
        super("destination");
        this.wizard = wizard;
        setTitle(TITLE);
        setDescription("The policy both hosts and the VM must satisfy, and the host to move the VM to.");
        setPageComplete(false);
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(c);
        new Label(c, SWT.NONE).setText("Policy:");
        policyCombo = new Combo(c, SWT.READ_ONLY);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(policyCombo);
        policyCombo.addListener(SWT.Selection, e -> policyChosen());
        policyNote = new Label(c, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).hint(600, SWT.DEFAULT).applyTo(policyNote);
        table = new Table(c, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Host", "110"}, {"Connection", "120"}, {"Predicted verdict", "150"},
                {"First reason", "400"}}) {
            TableColumn column = new TableColumn(table, SWT.LEFT);
            column.setText(col[0]);
            column.setWidth(Integer.parseInt(col[1]));
        }
        GridDataFactory.fillDefaults().grab(true, true).span(2, 1).applyTo(table);
        table.addListener(SWT.Selection, e -> updateCompletion());
        setControl(c);
    }

    @Override
    public void setVisible(boolean visible) {
        super.setVisible(visible);
        if (visible && wizard.choice.sourceHostId != null && !wizard.choice.sourceHostId.equals(loadedFor)) {
            loadPolicies(wizard.choice.sourceHostId);
        }
    }

    private void loadPolicies(String source) {
        loadedFor = source;
        policyCombo.removeAll();
        policyNote.setText("Reading the policies stored on " + source + "...");
        table.removeAll();
        predictions.clear();
        setPageComplete(false);
        wizard.policies.fetch(source, list -> wizard.later(() -> policiesRead(source, list)),
                failure -> wizard.later(() -> {
                    if (!policyNote.isDisposed()) {
                        policyNote.setText("");
                        setErrorMessage(failure.oneLine());
                    }
                }));
    }

    private void policiesRead(String source, List<AgentPolicies.StoredPolicy> list) {
        if (policyCombo.isDisposed() || !source.equals(loadedFor)) {
            return;
        }
        stored = list;
        for (AgentPolicies.StoredPolicy p : list) {
            policyCombo.add(p.document().id() + (p.policy().isEmpty() ? " (not valid here)" : ""));
        }
        if (list.isEmpty()) {
            setErrorMessage(source + " holds no policy. Store one with the Policy part (Save to agents...) first.");
            policyNote.setText("");
            return;
        }
        String active = wizard.model.activePolicy().map(a -> a.policy().id()).orElse(null);
        int pick = 0;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).document().id().equals(active)) {
                pick = i;
            }
        }
        policyCombo.select(pick);
        policyChosen();
    }

    private void policyChosen() {
        int i = policyCombo.getSelectionIndex();
        if (i < 0) {
            return;
        }
        AgentPolicies.StoredPolicy p = stored.get(i);
        wizard.choice.policy = p;
        if (p.policy().isEmpty()) {
            setErrorMessage(p.problem().map(Failure::oneLine).orElse("The policy is not valid."));
            setPageComplete(false);
            return;
        }
        setErrorMessage(null);
        policyNote.setText("Policy " + p.document().id() + " (sha256 " + p.document().digest().substring(0, 16)
                + "..., stored " + p.document().updatedAt() + "). Checking every host's evidence under it...");
        predict(p.policy().get());
    }

    /** Checks every other listed host's fresh evidence under {@code policy}. */
    private void predict(Policy policy) {
        int run = ++generation;
        predictions.clear();
        for (Agent a : wizard.model.agents().all()) {
            if (a.hostId().equals(wizard.choice.sourceHostId)) {
                continue;
            }
            predictions.put(a.hostId(), new Prediction(a.hostId(), a.reachability(), null, null, true));
            wizard.model.attest(a.hostId(), policy,
                    report -> update(run, a.hostId(), report, null),
                    failure -> update(run, a.hostId(), null, failure));
        }
        showPredictions();
    }

    private void update(int run, String hostId, EvidenceReport report, Failure problem) {
        wizard.later(() -> {
            if (table.isDisposed() || run != generation) {
                return;
            }
            Reachability r = wizard.model.agents().get(hostId).map(Agent::reachability).orElse(Reachability.UNREACHABLE);
            predictions.put(hostId, new Prediction(hostId, r, report, problem, false));
            showPredictions();
        });
    }

    private void showPredictions() {
        String selected = selectedHost();
        table.removeAll();
        List<String> order = new ArrayList<>(predictions.keySet());
        for (String hostId : order) {
            Prediction p = predictions.get(hostId);
            TableItem item = new TableItem(table, SWT.NONE);
            String verdict;
            String reason;
            if (p.checking()) {
                verdict = "checking...";
                reason = "";
            } else if (p.report() != null) {
                verdict = p.report().judgement().name();
                reason = p.report().firstReason();
                item.setForeground(2, Styles.of(p.report().judgement()));
            } else {
                verdict = "unknown";
                reason = p.problem() == null ? "" : p.problem().why();
                item.setForeground(2, Styles.NOT_JUDGED);
            }
            item.setText(new String[] {hostId, p.reachability().label(), verdict, reason});
            item.setForeground(1, Styles.of(p.reachability()));
            if (hostId.equals(selected)) {
                table.select(table.getItemCount() - 1);
            }
        }
        boolean done = predictions.values().stream().noneMatch(Prediction::checking);
        if (done && wizard.choice.policy != null) {
            policyNote.setText("Policy " + wizard.choice.policy.document().id() + ": every host's evidence was checked"
                    + " just now. Choose the destination.");
        }
        updateCompletion();
    }

    private String selectedHost() {
        int i = table.getSelectionIndex();
        return i < 0 ? null : table.getItem(i).getText(0);
    }

    private void updateCompletion() {
        String host = selectedHost();
        Prediction p = host == null ? null : predictions.get(host);
        wizard.choice.destinationHostId = host;
        wizard.choice.destinationEvidence = p == null ? null : p.report();
        if (p == null || wizard.choice.policy == null || wizard.choice.policy.policy().isEmpty()) {
            setPageComplete(false);
            return;
        }
        if (p.checking()) {
            setMessage("The evidence of " + host + " is being checked.", IMessageProvider.INFORMATION);
            setPageComplete(false);
        } else if (p.report() == null) {
            setMessage(host + " could not be checked: " + (p.problem() == null ? "" : p.problem().why()),
                    IMessageProvider.ERROR);
            setPageComplete(false);
        } else if (p.report().judgement() == EvidenceReport.Judgement.UNTRUSTED) {
            setMessage(host + " is predicted UNTRUSTED (" + p.report().firstReason() + "): the source will refuse to"
                    + " send the VM there.", IMessageProvider.WARNING);
            setPageComplete(true);
        } else {
            setMessage(host + " is predicted " + p.report().judgement() + " under this policy.",
                    IMessageProvider.INFORMATION);
            setPageComplete(true);
        }
    }
}
