package org.vtpmmigrate.console.parts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ITreeContentProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.attest.policy.Finding;
import org.vtpmmigrate.console.dialogs.PathDialog;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EventDescriptions;
import org.vtpmmigrate.console.model.EvidenceExport;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.model.ModelEvents;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * One host's evidence as the console checked it: the quoted PCRs per bank with their replay status,
 * the boot event log as a tree by PCR (event types, digests, decoded data), the IMA log as a filterable
 * table with allowlist status, and every problem with expected and actual values. Mismatches are
 * highlighted wherever they show. The evidence can be exported for other tools.
 */
public class InspectorPart {
    public static final String ID = "org.vtpmmigrate.console.part.inspector";
    /** Tab titles, in order. */
    public static final String EVENTS_TAB = "Boot event log";
    public static final String IMA_TAB = "IMA log";
    public static final String PROBLEMS_TAB = "Problems";

    @Inject
    private ConsoleModel model;
    @Inject
    private UISynchronize sync;

    private Composite root;
    private Combo hosts;
    private Label judgement;
    private Button attest;
    private Button export;
    private TableViewer pcrs;
    private TreeViewer events;
    private Text imaFilter;
    private Button imaProblemsOnly;
    private TableViewer ima;
    private TableViewer problems;
    private CTabFolder tabs;
    private ProblemLine problemLine;
    private EvidenceReport shown;
    private List<EvidenceReport.ImaRow> imaRows = List.of();
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final ModelEvents.Listener listener = (topic, subject) -> {
        if ((topic == ModelEvents.Topic.AGENT || topic == ModelEvents.Topic.AGENTS)
                && refreshPending.compareAndSet(false, true)) {
            sync.asyncExec(this::refreshView);
        }
    };

    /** A PCR's events, for the tree. */
    record PcrGroup(String label, List<EvidenceReport.EventRow> rows) {
        boolean mismatch() {
            return rows.stream().anyMatch(EvidenceReport.EventRow::highlighted);
        }
    }

    /** A row of the problems table: a policy finding or a problem the console found without policy. */
    record ProblemRow(String severity, String where, String expected, String actual, String message) {
    }

    @PostConstruct
    public void createControls(Composite parent) {
        root = PartControls.root(parent, ID);
        Composite top = new Composite(root, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(5).applyTo(top);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(top);
        new Label(top, SWT.NONE).setText("Host:");
        hosts = new Combo(top, SWT.READ_ONLY);
        GridDataFactory.swtDefaults().hint(160, SWT.DEFAULT).applyTo(hosts);
        hosts.addListener(SWT.Selection, e -> {
            int i = hosts.getSelectionIndex();
            if (i >= 0) {
                model.selectHost(hosts.getItem(i));
            }
        });
        attest = PartControls.button(top, "Attest now", e -> model.selectedHost().ifPresent(model::attest));
        export = PartControls.button(top, "Export evidence...", e -> exportEvidence());
        judgement = new Label(top, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(judgement);

        SashForm sash = new SashForm(root, SWT.VERTICAL);
        PartControls.fill(sash);
        pcrs = new TableViewer(sash, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        table(pcrs);
        pcrColumn("Bank", 60, r -> r.bank().bankName());
        pcrColumn("PCR", 40, r -> String.valueOf(r.pcr()));
        pcrColumn("Quoted value", 260, EvidenceReport.PcrRow::quoted);
        pcrColumn("Replayed from", 110, r -> r.log().isEmpty() ? "no log" : r.log());
        pcrColumn("Replay status", 100, r -> r.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        pcrColumn("Expected vs actual", 520, r -> r.problem().isEmpty()
                ? (r.references().isEmpty() ? "" : "policy reference matches") : r.problem());

        tabs = new CTabFolder(sash, SWT.BORDER);
        events = new TreeViewer(tabs, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        events.getTree().setHeaderVisible(true);
        events.getTree().setLinesVisible(true);
        events.setContentProvider(new EventTreeContent());
        treeColumn("PCR / event", 150, o -> o instanceof PcrGroup g ? g.label() + " (" + g.rows().size() + " events)"
                + (g.mismatch() ? " - MISMATCH" : "") : "event " + ((EvidenceReport.EventRow) o).event().index());
        treeColumn("Type", 250, o -> o instanceof EvidenceReport.EventRow r ? r.event().typeName() : "");
        treeColumn("Digests", 330, o -> o instanceof EvidenceReport.EventRow r
                ? EventDescriptions.digests(r.event()).replace('\n', ' ') : "");
        treeColumn("Data", 380, o -> o instanceof EvidenceReport.EventRow r ? r.description()
                + r.findings().stream().map(f -> " [" + f.severity() + ": " + f.message() + "]").reduce("", String::concat)
                : "");
        tab(EVENTS_TAB, events.getControl());

        Composite imaArea = new Composite(tabs, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(3).applyTo(imaArea);
        new Label(imaArea, SWT.NONE).setText("Filter:");
        imaFilter = new Text(imaArea, SWT.BORDER | SWT.SEARCH | SWT.ICON_CANCEL);
        imaFilter.setMessage("part of a path or digest");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(imaFilter);
        imaFilter.addListener(SWT.Modify, e -> applyImaFilter());
        imaProblemsOnly = new Button(imaArea, SWT.CHECK);
        imaProblemsOnly.setText("Only entries with problems");
        imaProblemsOnly.addListener(SWT.Selection, e -> applyImaFilter());
        ima = new TableViewer(imaArea, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL | SWT.VIRTUAL);
        table(ima);
        GridDataFactory.fillDefaults().grab(true, true).span(3, 1).applyTo(ima.getTable());
        imaColumn("#", 50, r -> String.valueOf(r.entry().index()));
        imaColumn("PCR", 40, r -> String.valueOf(r.entry().pcr()));
        imaColumn("File", 330, EvidenceReport.ImaRow::path);
        imaColumn("File digest", 280, EvidenceReport.ImaRow::digest);
        imaColumn("Template hash", 100, r -> r.entry().templateHashStatus().name().toLowerCase(Locale.ROOT));
        imaColumn("Allowlist", 420, EvidenceReport.ImaRow::allowlist);
        tab(IMA_TAB, imaArea);

        problems = new TableViewer(tabs, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        table(problems);
        problemColumn("Severity", 70, ProblemRow::severity);
        problemColumn("Where", 230, ProblemRow::where);
        problemColumn("Expected", 240, ProblemRow::expected);
        problemColumn("Actual", 240, ProblemRow::actual);
        problemColumn("What it means", 420, ProblemRow::message);
        tab(PROBLEMS_TAB, problems.getControl());
        tabs.setSelection(0);
        sash.setWeights(2, 3);

        problemLine = new ProblemLine(root);
        model.events().add(listener);
        refreshView();
    }

    @PreDestroy
    public void dispose() {
        model.events().remove(listener);
    }

    @Focus
    public void focus() {
        hosts.setFocus();
    }

    private static void table(TableViewer v) {
        v.getTable().setHeaderVisible(true);
        v.getTable().setLinesVisible(true);
        v.setContentProvider(ArrayContentProvider.getInstance());
        v.setUseHashlookup(true);
    }

    private void tab(String title, org.eclipse.swt.widgets.Control control) {
        CTabItem item = new CTabItem(tabs, SWT.NONE);
        item.setText(title);
        item.setControl(control);
    }

    private void pcrColumn(String title, int width, Function<EvidenceReport.PcrRow, String> text) {
        column(pcrs, title, width, o -> text.apply((EvidenceReport.PcrRow) o),
                o -> ((EvidenceReport.PcrRow) o).mismatch() ? Styles.MISMATCH_BACKGROUND : null);
    }

    private void imaColumn(String title, int width, Function<EvidenceReport.ImaRow, String> text) {
        column(ima, title, width, o -> text.apply((EvidenceReport.ImaRow) o),
                o -> ((EvidenceReport.ImaRow) o).problem() ? Styles.MISMATCH_BACKGROUND : null);
    }

    private void problemColumn(String title, int width, Function<ProblemRow, String> text) {
        column(problems, title, width, o -> text.apply((ProblemRow) o), o -> "ERROR".equals(((ProblemRow) o).severity())
                ? Styles.MISMATCH_BACKGROUND : Styles.WARNING_BACKGROUND);
    }

    private static void column(TableViewer viewer, String title, int width, Function<Object, String> text,
            Function<Object, Color> background) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply(element);
            }

            @Override
            public Color getBackground(Object element) {
                return background.apply(element);
            }
        });
    }

    private void treeColumn(String title, int width, Function<Object, String> text) {
        TreeViewerColumn c = new TreeViewerColumn(events, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply(element);
            }

            @Override
            public Color getBackground(Object element) {
                boolean highlighted = element instanceof PcrGroup g ? g.mismatch()
                        : ((EvidenceReport.EventRow) element).highlighted();
                return highlighted ? Styles.MISMATCH_BACKGROUND : null;
            }
        });
    }

    /** Groups by PCR, then events. */
    private static final class EventTreeContent implements ITreeContentProvider {
        @Override
        public Object[] getElements(Object input) {
            @SuppressWarnings("unchecked")
            Map<String, List<EvidenceReport.EventRow>> groups = (Map<String, List<EvidenceReport.EventRow>>) input;
            List<PcrGroup> out = new ArrayList<>();
            groups.forEach((k, v) -> out.add(new PcrGroup(k, v)));
            return out.toArray();
        }

        @Override
        public Object[] getChildren(Object parent) {
            return parent instanceof PcrGroup g ? g.rows().toArray() : new Object[0];
        }

        @Override
        public Object getParent(Object element) {
            return null;
        }

        @Override
        public boolean hasChildren(Object element) {
            return element instanceof PcrGroup g && !g.rows().isEmpty();
        }
    }

    private void refreshView() {
        refreshPending.set(false);
        if (root == null || root.isDisposed()) {
            return;
        }
        List<Agent> agents = model.agents().all();
        String[] ids = agents.stream().map(Agent::hostId).toArray(String[]::new);
        if (!java.util.Arrays.equals(ids, hosts.getItems())) {
            hosts.setItems(ids);
        }
        Optional<Agent> agent = model.selectedHost().flatMap(id -> model.agents().get(id));
        hosts.select(agent.map(a -> java.util.Arrays.asList(ids).indexOf(a.hostId())).orElse(-1));
        attest.setEnabled(agent.isPresent() && !agent.get().attesting());
        EvidenceReport report = agent.flatMap(Agent::lastAttestation).orElse(null);
        export.setEnabled(report != null);
        showJudgement(agent, report);
        if (report != shown) {
            shown = report;
            showReport(report);
        }
        if (agent.isPresent() && agent.get().attestationProblem() != null) {
            problemLine.show(agent.get().attestationProblem());
        } else if (report != null && !report.logProblems().isEmpty()) {
            problemLine.show(report.logProblems().get(0));
        } else if (!problemLine.text().startsWith("Evidence written")) {
            problemLine.clear();
        }
        root.layout(true, true);
    }

    private void showJudgement(Optional<Agent> agent, EvidenceReport report) {
        if (agent.isEmpty()) {
            judgement.setText("Select a host (here, or \"Open in inspector\" in Hosts) to see its PCRs and logs.");
            judgement.setForeground(Styles.NOT_JUDGED);
        } else if (report == null) {
            judgement.setText(agent.get().attesting() ? "Requesting fresh evidence from " + agent.get().hostId() + "..."
                    : "No evidence of " + agent.get().hostId() + " yet: press \"Attest now\".");
            judgement.setForeground(Styles.NOT_JUDGED);
        } else {
            String head = switch (report.judgement()) {
                case TRUSTED -> "TRUSTED under " + report.policy().map(p -> p.id()).orElse("");
                case AUTHENTIC -> "AUTHENTIC (quote and logs check out; no policy applied)";
                case UNTRUSTED -> "UNTRUSTED: " + report.firstReason() + (report.reasons().size() > 1
                        ? " (and " + (report.reasons().size() - 1) + " more, see Problems)" : "");
            };
            judgement.setText(head + " - evidence of " + report.receivedAt()
                    + (agent.get().attesting() ? ", checking again..." : ""));
            judgement.setForeground(Styles.of(report.judgement()));
        }
    }

    private void showReport(EvidenceReport report) {
        if (report == null) {
            pcrs.setInput(new Object[0]);
            events.setInput(Map.of());
            imaRows = List.of();
            ima.setInput(new Object[0]);
            problems.setInput(new Object[0]);
            return;
        }
        pcrs.setInput(report.pcrRows().toArray());
        report.pcrRows().stream().filter(EvidenceReport.PcrRow::mismatch).findFirst().ifPresent(pcrs::reveal);
        events.setInput(report.eventsByPcr());
        for (Object g : ((EventTreeContent) events.getContentProvider()).getElements(report.eventsByPcr())) {
            if (((PcrGroup) g).mismatch()) {
                events.expandToLevel(g, 1);
            }
        }
        imaRows = report.imaRows();
        applyImaFilter();
        problems.setInput(problemRows(report).toArray());
        if (report.judgement() == EvidenceReport.Judgement.UNTRUSTED) {
            tabs.setSelection(2);
        }
    }

    static List<ProblemRow> problemRows(EvidenceReport report) {
        List<ProblemRow> rows = new ArrayList<>();
        if (report.verdict().isPresent()) {
            for (Finding f : report.findings()) {
                rows.add(new ProblemRow(f.severity().name(), f.category().title() + ": " + f.location().subject(),
                        f.expected(), f.actual(), f.message()));
            }
        } else {
            for (EvidenceReport.PcrRow r : report.pcrRows()) {
                if (r.mismatch()) {
                    rows.add(new ProblemRow("ERROR", r.bank().bankName() + " PCR " + r.pcr(), r.replayed(), r.quoted(),
                            "The " + r.log() + " does not replay to the value the TPM quoted: the log does not"
                                    + " describe what was measured."));
                }
            }
            report.quoteCheck().filter(q -> !q.passed()).ifPresent(q -> q.failures().forEach(f -> rows.add(
                    new ProblemRow("ERROR", "quote: " + f.check(), "", "", f.message()))));
        }
        return rows;
    }

    private void applyImaFilter() {
        String needle = imaFilter.getText().strip().toLowerCase(Locale.ROOT);
        boolean onlyProblems = imaProblemsOnly.getSelection();
        List<EvidenceReport.ImaRow> visible = imaRows.stream()
                .filter(r -> !onlyProblems || r.problem())
                .filter(r -> needle.isEmpty() || r.path().toLowerCase(Locale.ROOT).contains(needle)
                        || r.digest().toLowerCase(Locale.ROOT).contains(needle))
                .toList();
        ima.setInput(visible.toArray());
    }

    private void exportEvidence() {
        if (shown == null) {
            return;
        }
        EvidenceReport report = shown;
        PathDialog.ask(root.getShell(), "Export evidence", "The directory to write the evidence of " + report.hostId()
                + " into (quote, signature, AK, logs, EK chain, findings).", PathDialog.Kind.DIRECTORY,
                System.getProperty("user.home")).ifPresent(dir -> {
                    try {
                        List<Path> files = EvidenceExport.write(report, dir);
                        problemLine.note("Evidence written to " + dir + " (" + files.size() + " files).");
                    } catch (IOException e) {
                        problemLine.show(Failure.fromIo("The evidence was not exported", e));
                    }
                });
    }
}
