package org.vtpmmigrate.console.parts;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.core.commands.ParameterizedCommand;
import org.eclipse.e4.core.commands.ECommandService;
import org.eclipse.e4.core.commands.EHandlerService;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.e4.ui.workbench.modeling.EPartService.PartState;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.RowLayoutFactory;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.vtpmmigrate.console.dialogs.AddHostDialog;
import org.vtpmmigrate.console.dialogs.EnrolPeerDialog;
import org.vtpmmigrate.console.dialogs.EnrolmentDialog;
import org.vtpmmigrate.console.dialogs.MigrationWizard;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.AgentSource;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.ModelEvents;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.management.HostInfo;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The engine agents the console knows (inventory, DNS-SD, added by hand) with their connection, their
 * enrolment, the console's last verdict on their evidence (colour and first reason), TPM and VM count.
 * Connection and verdict are separate columns: an unreachable host keeps its last verdict, dated, and
 * is never shown as untrusted for being unreachable.
 */
public class HostsPart {
    public static final String ID = "org.vtpmmigrate.console.part.hosts";

    /** Column titles, in order. */
    public static final List<String> COLUMNS = List.of("Host", "Address", "Found by", "Connection", "Enrolment",
            "Last verdict", "TPM", "VMs", "Peers");
    /** The command that starts hosts inside the console, for a first run without any agent. */
    public static final String START_DEMO_COMMAND = "org.vtpmmigrate.console.command.demo.start";
    /** The text of the link offering it while no host is known. */
    public static final String START_DEMO_LINK = "<a>Start local demo hosts</a>";

    @Inject
    private ConsoleModel model;
    @Inject
    private UISynchronize sync;
    @Inject
    private EPartService partService;
    @Inject
    private ECommandService commandService;
    @Inject
    private EHandlerService handlerService;

    private Composite root;
    private Label summary;
    private Link startDemo;
    private TableViewer viewer;
    private ProblemLine problemLine;
    private Button enrol;
    private Button enrolPeer;
    private Button attest;
    private Button inspect;
    private Button migrate;
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final ModelEvents.Listener listener = (topic, subject) -> {
        if (topic != ModelEvents.Topic.AUDIT && topic != ModelEvents.Topic.MIGRATION
                && refreshPending.compareAndSet(false, true)) {
            sync.asyncExec(this::refreshView);
        }
    };

    @PostConstruct
    public void createControls(Composite parent) {
        root = PartControls.root(parent, ID);
        summary = PartControls.banner(root, "");
        startDemo = new Link(root, SWT.WRAP);
        startDemo.setText(START_DEMO_LINK + " - two hosts inside this console, each with a simulated TPM, enrolled"
                + " with each other, a policy made from their evidence and a small VM to migrate. Nothing is installed;"
                + " they stop when the console closes.");
        startDemo.setFont(org.eclipse.jface.resource.JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().grab(true, false).hint(400, SWT.DEFAULT).applyTo(startDemo);
        startDemo.addListener(SWT.Selection, e -> startDemoHosts());
        Composite buttons = new Composite(root, SWT.NONE);
        RowLayoutFactory.fillDefaults().spacing(6).wrap(true).applyTo(buttons);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(buttons);
        PartControls.button(buttons, "Add host...", e -> addHost());
        PartControls.button(buttons, "Refresh", e -> model.refreshAll());
        enrol = PartControls.button(buttons, "Enrolment...", e -> selected().ifPresent(
                a -> new EnrolmentDialog(root.getShell(), model, a.hostId()).open()));
        enrolPeer = PartControls.button(buttons, "Enrol peer...", e -> selected().ifPresent(
                a -> new EnrolPeerDialog(root.getShell(), model, a.hostId()).open()));
        attest = PartControls.button(buttons, "Attest now", e -> selected().ifPresent(a -> model.attest(a.hostId())));
        inspect = PartControls.button(buttons, "Open in inspector", e -> selected().ifPresent(this::openInInspector));
        migrate = PartControls.button(buttons, "Migrate a VM...", e -> MigrationWizard.open(root.getShell(), model,
                selected().map(Agent::hostId).orElse(null)));

        viewer = new TableViewer(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        viewer.getTable().setHeaderVisible(true);
        viewer.getTable().setLinesVisible(true);
        viewer.setContentProvider(org.eclipse.jface.viewers.ArrayContentProvider.getInstance());
        column("Host", 90, a -> a.hostId(), null);
        column("Address", 120, Agent::address, null);
        column("Found by", 80, a -> String.join(", ", a.sources().stream().map(AgentSource::label).toList()), null);
        column("Connection", 120, HostsPart::connectionText, a -> Styles.of(a.reachability()));
        column("Enrolment", 200, HostsPart::enrolmentText, null);
        column("Last verdict", 430, HostsPart::verdictText, HostsPart::verdictColour);
        column("TPM", 150, a -> a.info().map(HostInfo::tpmConnector).orElse(""), null);
        column("VMs", 45, a -> a.vmCount().map(String::valueOf).orElse(""), null);
        column("Peers", 50, a -> a.peerCount().map(String::valueOf).orElse(""), null);
        GridDataFactory.fillDefaults().grab(true, true).hint(600, 200).applyTo(viewer.getTable());
        viewer.addSelectionChangedListener(e -> updateSelectionState());
        viewer.addDoubleClickListener(e -> selected().ifPresent(this::openInInspector));
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
        viewer.getTable().setFocus();
    }

    private void column(String title, int width, java.util.function.Function<Agent, String> text,
            java.util.function.Function<Agent, Color> colour) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((Agent) element);
            }

            @Override
            public Color getForeground(Object element) {
                return colour == null ? null : colour.apply((Agent) element);
            }

            @Override
            public String getToolTipText(Object element) {
                return text.apply((Agent) element);
            }
        });
    }

    static String connectionText(Agent a) {
        String text = a.reachability().label();
        return a.identityMismatch().map(m -> text + " (" + m + ")").orElse(text);
    }

    static String enrolmentText(Agent a) {
        return a.info().map(i -> {
            HostInfo.Enrolment e = i.enrolment();
            if (HostInfo.EnrolmentState.ENROLLED.name().equals(e.state())) {
                return "enrolled: EK chain ok, AK activated";
            }
            if (HostInfo.EnrolmentState.FAILED.name().equals(e.state())) {
                return "enrolment failed: " + (e.reason() == null ? "no reason given" : e.reason());
            }
            return "not enrolled";
        }).orElse("");
    }

    static String verdictText(Agent a) {
        String running = a.attesting() ? "checking... " : "";
        Optional<EvidenceReport> report = a.lastAttestation();
        if (report.isEmpty()) {
            return running + (a.attestationProblem() != null ? "not checked: " + a.attestationProblem().what()
                    : "not checked yet");
        }
        EvidenceReport r = report.get();
        String under = r.policy().map(p -> " under " + p.id()).orElse("");
        String text = switch (r.judgement()) {
            case TRUSTED -> "TRUSTED" + under;
            case AUTHENTIC -> "AUTHENTIC, no policy applied";
            case UNTRUSTED -> "UNTRUSTED" + under + ": " + r.firstReason();
        };
        String stale = a.reachability() == Reachability.REACHABLE ? "" : " (as of " + r.receivedAt() + ")";
        return running + text + stale;
    }

    static Color verdictColour(Agent a) {
        return a.lastAttestation().map(r -> Styles.of(r.judgement())).orElse(Styles.NOT_JUDGED);
    }

    private Optional<Agent> selected() {
        Object first = ((IStructuredSelection) viewer.getSelection()).getFirstElement();
        return first instanceof Agent a ? model.agents().get(a.hostId()) : Optional.empty();
    }

    private void openInInspector(Agent agent) {
        model.selectHost(agent.hostId());
        partService.showPart(InspectorPart.ID, PartState.ACTIVATE);
    }

    /** Whether every listed agent is a local demo host: those need no identity of the console's. */
    private boolean onlyLocalHosts() {
        List<Agent> all = model.agents().all();
        return !all.isEmpty() && all.stream().allMatch(Agent::local);
    }

    private void startDemoHosts() {
        ParameterizedCommand command = commandService.createCommand(START_DEMO_COMMAND, null);
        if (command == null || !handlerService.canExecute(command)) {
            problemLine.note("Local demo hosts cannot be started now: they are starting or running already.");
            return;
        }
        handlerService.executeHandler(command);
    }

    private void addHost() {
        new AddHostDialog(root.getShell(), model).open();
    }

    private void refreshView() {
        refreshPending.set(false);
        if (root == null || root.isDisposed()) {
            return;
        }
        List<Agent> agents = model.agents().all();
        Optional<String> keep = selected().map(Agent::hostId);
        viewer.setInput(agents.toArray());
        keep.flatMap(id -> agents.stream().filter(a -> a.hostId().equals(id)).findFirst())
                .ifPresent(a -> viewer.setSelection(new org.eclipse.jface.viewers.StructuredSelection(a)));
        summary.setText(summaryText(agents));
        boolean offerDemo = agents.isEmpty();
        startDemo.setVisible(offerDemo);
        ((org.eclipse.swt.layout.GridData) startDemo.getLayoutData()).exclude = !offerDemo;
        updateSelectionState();
        root.layout(true, true);
    }

    private String summaryText(List<Agent> agents) {
        if (agents.isEmpty()) {
            return "No engine agents are known yet. Agents appear here when they are listed in the inventory file,"
                    + " announced by DNS-SD, or added by hand (Add host...). To try the console first:";
        }
        long reachable = agents.stream().filter(a -> a.reachability() == Reachability.REACHABLE).count();
        long unreachable = agents.stream().filter(a -> a.reachability() == Reachability.UNREACHABLE).count();
        long refused = agents.stream().filter(a -> a.reachability() == Reachability.IDENTITY_REFUSED).count();
        long trusted = agents.stream().filter(a -> a.lastAttestation()
                .filter(r -> r.judgement() == EvidenceReport.Judgement.TRUSTED).isPresent()).count();
        long untrusted = agents.stream().filter(a -> a.lastAttestation()
                .filter(r -> r.judgement() == EvidenceReport.Judgement.UNTRUSTED).isPresent()).count();
        String policy = model.activePolicy().map(p -> "Evidence is judged under policy " + p.policy().id() + " ("
                + p.origin() + ").").orElse("No policy chosen: evidence is checked for authenticity only"
                        + " (choose one in the Policy part).");
        return agents.size() + " agents: " + reachable + " reachable, " + unreachable + " unreachable, " + refused
                + " refusing the connection; " + trusted + " trusted, " + untrusted + " untrusted. " + policy;
    }

    private void updateSelectionState() {
        Optional<Agent> a = selected();
        boolean reachable = a.filter(x -> x.reachability() == Reachability.REACHABLE).isPresent();
        enrol.setEnabled(a.isPresent());
        enrolPeer.setEnabled(reachable);
        attest.setEnabled(a.isPresent() && !a.get().attesting());
        inspect.setEnabled(a.isPresent());
        migrate.setEnabled(reachable && a.get().vmCount().orElse(0) > 0);
        if (a.isPresent() && a.get().contactProblem() != null) {
            problemLine.show(a.get().contactProblem());
        } else if (a.isPresent() && a.get().attestationProblem() != null) {
            problemLine.show(a.get().attestationProblem());
        } else if (a.isPresent() && a.get().identityMismatch().isPresent()) {
            problemLine.note(a.get().hostId() + " is " + a.get().identityMismatch().get()
                    + ": check the inventory line or the agent's configuration.");
        } else if (model.identity().problem().isPresent() && !onlyLocalHosts()) {
            problemLine.show(model.identity().problem().get());
        } else if (model.listingProblem().isPresent()) {
            problemLine.show(model.listingProblem().get());
        } else {
            problemLine.clear();
        }
    }
}
