package org.vtpmmigrate.console.parts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Function;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.layout.RowLayoutFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.EvidenceRejectedException;
import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyFormatException;
import org.vtpmmigrate.attest.policy.PolicyGenerator;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.attest.tpm2.PcrSelection;
import org.vtpmmigrate.console.dialogs.ChooseHostsDialog;
import org.vtpmmigrate.console.dialogs.PathDialog;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AgentPolicies;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.ModelEvents;
import org.vtpmmigrate.console.model.PolicyDraft;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The policy editor: a form of the policy model and its JSON source, kept in step both ways and
 * validated at every keystroke; a new policy from a host's current evidence; the differences between
 * the policy and a host's evidence; the IMA rules of a Keylime runtime policy; saving to files and
 * to agents; and choosing the policy the console judges evidence under.
 */
public class PolicyPart {
    public static final String ID = "org.vtpmmigrate.console.part.policy";
    public static final String FORM_TAB = "Form";
    public static final String JSON_TAB = "JSON";
    public static final String DIFF_TAB = "Differences";
    static final String NEW_POLICY_SELECTION = "sha256:0-7";

    @Inject
    private ConsoleModel model;
    @Inject
    private UISynchronize sync;

    private Composite root;
    private AgentPolicies agentPolicies;
    private PolicyDraft draft;
    private boolean updating;
    private ProblemLine status;
    private Combo host;
    private CTabFolder tabs;
    private Text json;
    private Text id;
    private Text description;
    private final java.util.Map<HashAlgorithm, Button> banks = new java.util.EnumMap<>(HashAlgorithm.class);
    private Text selection;
    private TableViewer references;
    private List<ReferenceRow> referenceRows = new ArrayList<>();
    private Spinner referencePcr;
    private Combo referenceBank;
    private Text referenceValues;
    private Label referenceProblem;
    private Button referenceSet;
    private Button referenceRemove;
    private Button eventLogRequired;
    private Label eventLogSummary;
    private Button imaEnabled;
    private Spinner imaPcr;
    private Button bootAggregate;
    private Text excludes;
    private Label allowlistSummary;
    private Button safeClock;
    private Button sameBoot;
    private TableViewer differences;
    private final ModelEvents.Listener listener = (topic, subject) -> {
        if (topic == ModelEvents.Topic.AGENTS) {
            sync.asyncExec(this::refreshHosts);
        }
    };

    /** One reference value row of the form. */
    record ReferenceRow(int pcr, HashAlgorithm bank, SortedSet<String> values) {
    }

    @PostConstruct
    public void createControls(Composite parent) {
        agentPolicies = new AgentPolicies(model);
        root = PartControls.root(parent, ID);
        Composite bar = new Composite(root, SWT.NONE);
        RowLayoutFactory.fillDefaults().spacing(6).wrap(true).applyTo(bar);
        PartControls.button(bar, "New", e -> setDraft(PolicyDraft.of(Policy.builder("new-policy")
                .pcrSelection(PcrSelection.parseSpec(NEW_POLICY_SELECTION)).build())));
        PartControls.button(bar, "Open file...", e -> openFile());
        PartControls.button(bar, "Save file...", e -> saveFile());
        PartControls.button(bar, "Import Keylime policy...", e -> importKeylime());
        PartControls.button(bar, "Use for attestation", e -> useForAttestation());
        PartControls.button(bar, "Save to agents...", e -> saveToAgents());
        new Label(bar, SWT.NONE).setText("  Host:");
        host = new Combo(bar, SWT.READ_ONLY);
        PartControls.button(bar, "New from host's evidence", e -> fromHost());
        PartControls.button(bar, "Differences to host's evidence", e -> diffWithHost());
        status = new ProblemLine(root);

        tabs = new CTabFolder(root, SWT.BORDER);
        PartControls.fill(tabs);
        tab(FORM_TAB, createForm(tabs));
        json = new Text(tabs, SWT.BORDER | SWT.MULTI | SWT.V_SCROLL | SWT.H_SCROLL);
        json.setFont(Styles.monospace());
        json.addListener(SWT.Modify, e -> jsonChanged());
        tab(JSON_TAB, json);
        differences = new TableViewer(tabs, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        differences.getTable().setHeaderVisible(true);
        differences.getTable().setLinesVisible(true);
        differences.setContentProvider(ArrayContentProvider.getInstance());
        diffColumn("Severity", 70, f -> f.severity().name());
        diffColumn("Where", 260, f -> f.category().title() + ": " + f.location().subject());
        diffColumn("Policy expects", 260, Finding::expected);
        diffColumn("Host shows", 260, Finding::actual);
        diffColumn("What it means", 420, Finding::message);
        tab(DIFF_TAB, differences.getControl());
        tabs.setSelection(0);

        model.events().add(listener);
        refreshHosts();
        setDraft(model.activePolicy().map(p -> PolicyDraft.of(p.policy())).orElse(PolicyDraft.of(Policy
                .builder("new-policy").pcrSelection(PcrSelection.parseSpec(NEW_POLICY_SELECTION)).build())));
    }

    @PreDestroy
    public void dispose() {
        model.events().remove(listener);
    }

    @Focus
    public void focus() {
        tabs.setFocus();
    }

    private void tab(String title, org.eclipse.swt.widgets.Control control) {
        CTabItem item = new CTabItem(tabs, SWT.NONE);
        item.setText(title);
        item.setControl(control);
    }

    private org.eclipse.swt.widgets.Control createForm(Composite parent) {
        org.eclipse.swt.custom.ScrolledComposite scroll = new org.eclipse.swt.custom.ScrolledComposite(parent,
                SWT.V_SCROLL | SWT.H_SCROLL);
        scroll.setExpandHorizontal(true);
        scroll.setExpandVertical(true);
        Composite form = new Composite(scroll, SWT.NONE);
        scroll.setContent(form);
        form.addListener(SWT.Resize, e -> scroll.setMinSize(form.computeSize(scroll.getClientArea().width,
                SWT.DEFAULT)));
        scroll.addListener(SWT.Resize, e -> scroll.setMinSize(form.computeSize(scroll.getClientArea().width,
                SWT.DEFAULT)));
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(form);
        id = field(form, "Policy id:", "letters, digits, . _ : - (names the policy in migrations and logs)");
        description = field(form, "Description:", "what the policy is for");
        new Label(form, SWT.NONE).setText("Accepted PCR banks:");
        Composite bankRow = new Composite(form, SWT.NONE);
        RowLayoutFactory.fillDefaults().spacing(8).applyTo(bankRow);
        for (HashAlgorithm a : List.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384,
                HashAlgorithm.SHA512)) {
            Button b = new Button(bankRow, SWT.CHECK);
            b.setText(a.bankName() + (a == HashAlgorithm.SHA1 ? " (downgrade risk)" : ""));
            b.addListener(SWT.Selection, e -> formChanged());
            banks.put(a, b);
        }
        selection = field(form, "PCR selection:", "e.g. sha256:0-7,14 (every quote must cover these)");
        Label refs = new Label(form, SWT.NONE);
        refs.setText("Reference values:");
        GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.BEGINNING).applyTo(refs);
        references = new TableViewer(form, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL);
        references.getTable().setHeaderVisible(true);
        references.setContentProvider(ArrayContentProvider.getInstance());
        referenceColumn("PCR", 45, r -> String.valueOf(r.pcr()));
        referenceColumn("Bank", 65, r -> r.bank().bankName());
        referenceColumn("Allowed values", 560, r -> String.join(", ", r.values()));
        GridDataFactory.fillDefaults().grab(true, false).hint(500, 120).applyTo(references.getTable());
        references.addSelectionChangedListener(e -> referenceChosen());
        createReferenceEditor(form);

        Group events = group(form, "Boot event log");
        eventLogRequired = check(events, "The evidence must include the boot event log");
        eventLogSummary = new Label(events, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(eventLogSummary);

        Group ima = group(form, "IMA");
        GridLayoutFactory.swtDefaults().numColumns(4).applyTo(ima);
        imaEnabled = check(ima, "Check the IMA log");
        new Label(ima, SWT.NONE).setText("IMA PCR:");
        imaPcr = new Spinner(ima, SWT.BORDER);
        imaPcr.setValues(Policy.ImaRules.DEFAULT_PCR, 0, 23, 0, 1, 1);
        imaPcr.addListener(SWT.Modify, e -> formChanged());
        bootAggregate = check(ima, "boot_aggregate must match the quoted boot PCRs");
        new Label(ima, SWT.NONE).setText("Excludes:");
        excludes = new Text(ima, SWT.BORDER);
        excludes.setMessage("regular expressions, comma-separated, e.g. /tmp/.*");
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(excludes);
        excludes.addListener(SWT.Modify, e -> formChanged());
        allowlistSummary = new Label(ima, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).span(4, 1).applyTo(allowlistSummary);

        Group freshness = group(form, "Freshness");
        safeClock = check(freshness, "The TPM clock must be safe (not rolled back)");
        sameBoot = check(freshness, "No reboot between enrolment and the quote");
        return scroll;
    }

    /** PCR, bank and allowed values of one reference row: fills from the selected row, sets or removes it. */
    private void createReferenceEditor(Composite form) {
        new Label(form, SWT.NONE);
        Composite editor = new Composite(form, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(8).applyTo(editor);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(editor);
        new Label(editor, SWT.NONE).setText("PCR:");
        referencePcr = new Spinner(editor, SWT.BORDER);
        referencePcr.setValues(0, 0, 23, 0, 1, 4);
        new Label(editor, SWT.NONE).setText("Bank:");
        referenceBank = new Combo(editor, SWT.READ_ONLY);
        for (HashAlgorithm a : HashAlgorithm.values()) {
            referenceBank.add(a.bankName());
        }
        referenceBank.select(List.of(HashAlgorithm.values()).indexOf(HashAlgorithm.SHA256));
        new Label(editor, SWT.NONE).setText("Values:");
        referenceValues = new Text(editor, SWT.BORDER);
        referenceValues.setMessage("hex digests, comma-separated");
        referenceValues.setFont(Styles.monospace());
        GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(referenceValues);
        referenceSet = PartControls.button(editor, "Set", e -> setReference());
        referenceRemove = PartControls.button(editor, "Remove", e -> removeReference());
        referenceProblem = new Label(editor, SWT.WRAP);
        referenceProblem.setForeground(Styles.UNTRUSTED);
        GridDataFactory.fillDefaults().grab(true, false).span(8, 1).hint(400, SWT.DEFAULT).applyTo(referenceProblem);
        referencePcr.addListener(SWT.Modify, e -> validateReference());
        referenceBank.addListener(SWT.Selection, e -> validateReference());
        referenceValues.addListener(SWT.Modify, e -> validateReference());
        validateReference();
    }

    private void referenceChosen() {
        Object first = references.getStructuredSelection().getFirstElement();
        if (first instanceof ReferenceRow r) {
            referencePcr.setSelection(r.pcr());
            referenceBank.select(List.of(HashAlgorithm.values()).indexOf(r.bank()));
            referenceValues.setText(String.join(", ", r.values()));
        }
        validateReference();
    }

    private HashAlgorithm referenceBank() {
        return HashAlgorithm.values()[Math.max(0, referenceBank.getSelectionIndex())];
    }

    private Optional<ReferenceRow> editedRow() {
        return referenceRows.stream().filter(r -> r.pcr() == referencePcr.getSelection()
                && r.bank() == referenceBank()).findFirst();
    }

    /** The values typed, or empty after showing why they are not a valid reference. */
    private Optional<ReferenceRow> typedReference() {
        HashAlgorithm bank = referenceBank();
        int pcr = referencePcr.getSelection();
        java.util.TreeSet<String> values = new java.util.TreeSet<>();
        String[] tokens = referenceValues.getText().split(",");
        for (int i = 0; i < tokens.length; i++) {
            String v = tokens[i].strip().toLowerCase(java.util.Locale.ROOT);
            if (v.isEmpty()) {
                continue;
            }
            String why = null;
            if (!v.matches("[0-9a-f]*")) {
                why = "value " + (i + 1) + " is not hexadecimal";
            } else if (v.length() != bank.digestSize() * 2) {
                why = "value " + (i + 1) + " has " + v.length() + " hex digits; a " + bank.bankName() + " PCR has "
                        + bank.digestSize() * 2;
            }
            if (why != null) {
                referenceProblem.setText("PCR " + pcr + " (" + bank.bankName() + "): " + why + ".");
                return Optional.empty();
            }
            values.add(v);
        }
        if (values.isEmpty()) {
            referenceProblem.setText(editedRow().isPresent() ? "" : "Enter at least one allowed value.");
            return Optional.empty();
        }
        try {
            if (!PcrSelection.parseSpec(selection.getText()).indices(bank).contains(pcr)) {
                referenceProblem.setText("PCR " + pcr + " is not in the PCR selection for " + bank.bankName()
                        + ": add it there first, or a quote never covers it.");
                return Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            referenceProblem.setText("The PCR selection is not valid: " + e.getMessage());
            return Optional.empty();
        }
        referenceProblem.setText("");
        return Optional.of(new ReferenceRow(pcr, bank, values));
    }

    private void validateReference() {
        if (referenceSet == null) {
            return;
        }
        boolean valid = typedReference().isPresent();
        referenceSet.setEnabled(valid && draft != null && draft.policy().isPresent());
        referenceRemove.setEnabled(editedRow().isPresent());
        referenceProblem.getParent().layout(true, true);
    }

    private void setReference() {
        typedReference().ifPresent(row -> {
            referenceRows.removeIf(r -> r.pcr() == row.pcr() && r.bank() == row.bank());
            referenceRows.add(row);
            formChanged();
        });
    }

    private void removeReference() {
        if (referenceRows.removeIf(r -> r.pcr() == referencePcr.getSelection() && r.bank() == referenceBank())) {
            referenceValues.setText("");
            formChanged();
        }
    }

    private Text field(Composite form, String label, String hint) {
        new Label(form, SWT.NONE).setText(label);
        Text t = new Text(form, SWT.BORDER);
        t.setMessage(hint);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(t);
        t.addListener(SWT.Modify, e -> formChanged());
        return t;
    }

    private Group group(Composite form, String title) {
        Group g = new Group(form, SWT.NONE);
        g.setText(title);
        GridLayoutFactory.swtDefaults().applyTo(g);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(g);
        return g;
    }

    private Button check(Composite parent, String text) {
        Button b = new Button(parent, SWT.CHECK);
        b.setText(text);
        b.addListener(SWT.Selection, e -> formChanged());
        return b;
    }

    private void referenceColumn(String title, int width, Function<ReferenceRow, String> text) {
        TableViewerColumn c = new TableViewerColumn(references, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(ColumnLabelProvider.createTextProvider(o -> text.apply((ReferenceRow) o)));
    }

    private void diffColumn(String title, int width, Function<Finding, String> text) {
        TableViewerColumn c = new TableViewerColumn(differences, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((Finding) element);
            }

            @Override
            public Color getBackground(Object element) {
                return ((Finding) element).isError() ? Styles.MISMATCH_BACKGROUND : Styles.WARNING_BACKGROUND;
            }
        });
    }

    /** The draft being edited (for UI tests). */
    public PolicyDraft draft() {
        return draft;
    }

    /** Replaces the draft and shows it in both tabs. */
    void setDraft(PolicyDraft newDraft) {
        draft = newDraft;
        updating = true;
        try {
            if (!json.getText().equals(draft.text())) {
                json.setText(draft.text());
            }
            draft.policy().ifPresent(this::fillForm);
        } finally {
            updating = false;
        }
        showValidity();
    }

    private void fillForm(Policy p) {
        setText(id, p.id());
        setText(description, p.description().orElse(""));
        banks.forEach((bank, box) -> box.setSelection(p.algorithms().pcrBanks().contains(bank)));
        setText(selection, spec(p.pcrSelection()));
        List<ReferenceRow> rows = new ArrayList<>();
        p.referenceValues().forEach((pcr, byBank) -> byBank.forEach((bank, values) -> rows.add(
                new ReferenceRow(pcr, bank, values))));
        referenceRows = rows;
        references.setInput(rows.toArray());
        validateReference();
        eventLogRequired.setSelection(p.eventLog().map(Policy.EventLogRules::required).orElse(false));
        eventLogSummary.setText(p.eventLog().map(r -> r.acceptedTypes().size() + " accepted event types; "
                + r.allowedDigests().values().stream().mapToInt(Set::size).sum() + " allowed and "
                + r.forbiddenDigests().values().stream().mapToInt(Set::size).sum() + " forbidden event digests")
                .orElse("No rules for the boot event log."));
        imaEnabled.setSelection(p.ima().isPresent());
        p.ima().ifPresent(r -> {
            if (imaPcr.getSelection() != r.pcr()) {
                imaPcr.setSelection(r.pcr());
            }
            bootAggregate.setSelection(r.checkBootAggregate());
            setText(excludes, String.join(", ", r.excludes()));
        });
        allowlistSummary.setText(p.ima().map(r -> r.allowlist().size() + " files on the allowlist, "
                + r.excludes().size() + " excludes").orElse("No IMA rules."));
        safeClock.setSelection(p.freshness().requireSafeClock());
        sameBoot.setSelection(p.freshness().sameBootCycle());
        root.layout(true, true);
    }

    private static void setText(Text t, String value) {
        if (!t.getText().equals(value)) {
            t.setText(value);
        }
    }

    static String spec(PcrSelection s) {
        List<String> parts = new ArrayList<>();
        for (HashAlgorithm bank : s.banks()) {
            parts.add(bank.bankName() + ":" + PcrSelection.formatIndices(s.indices(bank)));
        }
        return String.join("+", parts);
    }

    /** Builds a policy from the form and the parts the form does not show; shows why when it cannot. */
    private void formChanged() {
        validateReference();
        if (updating || draft == null || draft.policy().isEmpty()) {
            return;
        }
        Policy base = draft.policy().get();
        try {
            Policy.Builder b = Policy.builder(id.getText().strip());
            b.description(description.getText().isBlank() ? null : description.getText().strip());
            Set<HashAlgorithm> accepted = EnumSet.noneOf(HashAlgorithm.class);
            banks.forEach((bank, box) -> {
                if (box.getSelection()) {
                    accepted.add(bank);
                }
            });
            b.algorithms(new Policy.Algorithms(accepted, base.algorithms().signatureHashes()));
            b.pcrSelection(PcrSelection.parseSpec(selection.getText()));
            for (ReferenceRow r : referenceRows) {
                b.referenceValues(r.bank(), r.pcr(), r.values());
            }
            base.eventLog().ifPresent(r -> b.eventLog(new Policy.EventLogRules(eventLogRequired.getSelection(),
                    r.acceptedTypes(), r.allowedDigests(), r.forbiddenDigests())));
            if (imaEnabled.getSelection()) {
                List<String> ex = new ArrayList<>();
                for (String s : excludes.getText().split(",")) {
                    if (!s.isBlank()) {
                        ex.add(s.strip());
                    }
                }
                b.ima(new Policy.ImaRules(imaPcr.getSelection(), bootAggregate.getSelection(),
                        base.ima().map(Policy.ImaRules::allowlist).orElse(new java.util.TreeMap<>()), ex));
            }
            b.ekTrust(base.ekTrust());
            base.vmLaunch().ifPresent(b::vmLaunch);
            b.freshness(new Policy.Freshness(safeClock.getSelection(), sameBoot.getSelection()));
            Policy p = b.build();
            draft = draft.withPolicy(p);
            updating = true;
            try {
                json.setText(draft.text());
                fillForm(p);
            } finally {
                updating = false;
            }
            showValidity();
        } catch (IllegalArgumentException e) {
            status.show(new Failure("The form does not make a valid policy", e.getMessage(), e.toString()));
        }
    }

    private void jsonChanged() {
        if (updating) {
            return;
        }
        draft = draft.withText(json.getText());
        if (draft.valid()) {
            updating = true;
            try {
                fillForm(draft.policy().get());
            } finally {
                updating = false;
            }
        }
        showValidity();
    }

    private void showValidity() {
        if (draft.problem().isPresent()) {
            status.show(draft.problem().get());
        } else {
            Policy p = draft.policy().get();
            boolean active = model.activePolicy().filter(a -> a.policy().equals(p)).isPresent();
            status.note("Valid policy " + p.reference() + (active ? " - evidence is judged under it" : ""));
        }
    }

    private Optional<Policy> validPolicy() {
        if (!draft.valid()) {
            status.show(draft.problem().orElse(Failure.of("No policy", "Write or load a policy first.")));
            return Optional.empty();
        }
        return draft.policy();
    }

    private void refreshHosts() {
        if (root.isDisposed()) {
            return;
        }
        String current = host.getText();
        String[] ids = model.agents().all().stream().map(Agent::hostId).toArray(String[]::new);
        host.setItems(ids);
        int keep = java.util.Arrays.asList(ids).indexOf(current);
        host.select(keep >= 0 ? keep : 0);
    }

    private Optional<String> chosenHost() {
        int i = host.getSelectionIndex();
        if (i < 0) {
            status.show(Failure.of("No host chosen", "Choose a host in the Host list first."));
            return Optional.empty();
        }
        return Optional.of(host.getItem(i));
    }

    /** Runs {@code then} with the host's last evidence, fetching fresh evidence first when there is none. */
    private void withEvidence(String hostId, java.util.function.Consumer<EvidenceReport> then) {
        Optional<EvidenceReport> known = model.agents().get(hostId).flatMap(Agent::lastAttestation);
        if (known.isPresent()) {
            then.accept(known.get());
            return;
        }
        status.note("Requesting fresh evidence from " + hostId + "...");
        model.attest(hostId, null, report -> sync.asyncExec(() -> {
            if (!root.isDisposed()) {
                then.accept(report);
            }
        }));
    }

    private void fromHost() {
        chosenHost().ifPresent(h -> withEvidence(h, report -> {
            try {
                String newId = h + "-baseline";
                PolicyGenerator.Result result = AgentPolicies.fromEvidence(report, newId);
                setDraft(PolicyDraft.of(result.policy()));
                status.note("New policy " + newId + " from the evidence of " + h + ". " + String.join(" ",
                        result.notes()));
            } catch (EvidenceRejectedException e) {
                status.show(new Failure("No policy was made from the evidence of " + h, e.getMessage()
                        + " A policy made from evidence that does not verify would trust whatever is wrong with it.",
                        e.verdict().map(v -> v.toText()).orElse(e.toString())));
            } catch (IllegalStateException e) {
                status.show(Failure.unexpected("No policy was made from the evidence of " + h, e));
            }
        }));
    }

    private void diffWithHost() {
        Optional<Policy> policy = validPolicy();
        if (policy.isEmpty()) {
            return;
        }
        chosenHost().ifPresent(h -> withEvidence(h, report -> {
            EvidenceReport judged = report.reassess(policy.get());
            List<Finding> findings = judged.findings();
            differences.setInput(findings.toArray());
            tabs.setSelection(2);
            long errors = findings.stream().filter(Finding::isError).count();
            if (errors == 0) {
                status.note(h + " satisfies policy " + policy.get().id() + " (" + findings.size()
                        + " warnings). Evidence of " + report.receivedAt() + ".");
            } else {
                status.show(Failure.of(h + " does not satisfy policy " + policy.get().id(), errors
                        + " differences: " + judged.firstReason()));
            }
        }));
    }

    private void importKeylime() {
        Optional<Policy> policy = validPolicy();
        if (policy.isEmpty()) {
            return;
        }
        PathDialog.ask(root.getShell(), "Import Keylime runtime policy", "A Keylime runtime policy (JSON, format 1):"
                + " its digests and excludes replace this policy's IMA rules.", PathDialog.Kind.OPEN_FILE, "")
                .ifPresent(file -> {
                    try {
                        Policy p = AgentPolicies.withKeylimeRules(policy.get(), file);
                        setDraft(PolicyDraft.of(p));
                        status.note("IMA rules imported from " + file + ": " + p.ima().map(r -> r.allowlist().size())
                                .orElse(0) + " files on the allowlist.");
                    } catch (PolicyFormatException e) {
                        status.show(Failure.fromPolicy("The Keylime policy was not imported", e));
                    } catch (IOException e) {
                        status.show(Failure.fromIo("The Keylime policy was not imported", e));
                    } catch (IllegalArgumentException e) {
                        status.show(new Failure("The Keylime policy was not imported", "With its rules the policy"
                                + " contradicts itself: " + e.getMessage(), e.toString()));
                    }
                });
    }

    private void openFile() {
        PathDialog.ask(root.getShell(), "Open policy", "A policy file (JSON).", PathDialog.Kind.OPEN_FILE, "")
                .ifPresent(file -> {
                    try {
                        setDraft(PolicyDraft.of(PolicyJson.read(file)));
                    } catch (PolicyFormatException e) {
                        status.show(Failure.fromPolicy("The policy " + file + " was not opened", e));
                    } catch (IOException e) {
                        status.show(Failure.fromIo("The policy " + file + " was not opened", e));
                    }
                });
    }

    private void saveFile() {
        validPolicy().ifPresent(p -> PathDialog.ask(root.getShell(), "Save policy", "The file to write policy "
                + p.id() + " to.", PathDialog.Kind.SAVE_FILE, p.id() + ".json").ifPresent(file -> {
                    try {
                        PolicyJson.save(p, file);
                        status.note("Policy " + p.id() + " written to " + file + ".");
                    } catch (IOException e) {
                        status.show(Failure.fromIo("The policy was not saved", e));
                    }
                }));
    }

    private void useForAttestation() {
        validPolicy().ifPresent(p -> {
            model.setActivePolicy(new ConsoleModel.ActivePolicy(p, "from the policy editor"));
            showValidity();
        });
    }

    private void saveToAgents() {
        validPolicy().ifPresent(p -> {
            ChooseHostsDialog choose = new ChooseHostsDialog(root.getShell(), "Save policy to agents",
                    "The agents to store policy " + p.id() + " on (an existing policy of that id is replaced).",
                    model.agents().all().stream().map(Agent::hostId).toList());
            if (choose.open() != ChooseHostsDialog.OK || choose.chosen().isEmpty()) {
                return;
            }
            status.note("Storing policy " + p.id() + " on " + String.join(", ", choose.chosen()) + "...");
            agentPolicies.store(p, choose.chosen(), results -> sync.asyncExec(() -> {
                if (root.isDisposed()) {
                    return;
                }
                List<String> stored = results.stream().filter(r -> r.stored().isPresent())
                        .map(AgentPolicies.StoreResult::hostId).toList();
                Optional<Failure> failed = results.stream().flatMap(r -> r.problem().stream()).findFirst();
                if (failed.isPresent()) {
                    status.show(new Failure("Policy " + p.id() + " stored on " + (stored.isEmpty() ? "no agent"
                            : String.join(", ", stored)) + ", not on all", failed.get().why(), failed.get().detail()));
                } else {
                    status.note("Policy " + p.id() + " stored on " + String.join(", ", stored) + ".");
                }
            }));
        });
    }
}
