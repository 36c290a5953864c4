package org.vtpmmigrate.console.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.e4.ui.workbench.modeling.EPartService.PartState;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.Text;
import org.vtpmmigrate.console.model.Agent;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.console.parts.PartControls;

/**
 * Drives the console's real widgets from tests running on the UI thread: finds the main window, its
 * parts and their controls, acts on them as a user would (the listeners fire as for a click), waits for
 * conditions by running the event loop (never by sleeping), and saves screenshots. Modal dialogs are
 * driven from inside their own event loop by {@link #whenShellOpens}.
 */
final class ConsoleUi {
    static final long TIMEOUT_MS = 60_000;
    static final String MAIN_TITLE = "vTPM Migrate Console";
    /** Key under which the e4 renderers keep a widget's model element. */
    private static final String OWNING_ME = "modelElement";

    private ConsoleUi() {
    }

    static Display display() {
        Display d = Display.getCurrent();
        if (d == null) {
            throw new IllegalStateException("UI tests run on the UI thread (tycho-surefire useUIThread)");
        }
        return d;
    }

    static Shell mainWindow() {
        waitFor(() -> findMainWindow() != null, "the console's main window opens");
        return findMainWindow();
    }

    private static Shell findMainWindow() {
        for (Shell s : display().getShells()) {
            if (s.isVisible() && MAIN_TITLE.equals(s.getText())) {
                return s;
            }
        }
        return null;
    }

    /** The e4 part that holds {@code control}. */
    static MPart mpart(Control control) {
        for (Control c = control; c != null; c = c.getParent()) {
            if (c.getData(OWNING_ME) instanceof MPart p) {
                return p;
            }
        }
        throw new AssertionError("no e4 part above " + control);
    }

    static ConsoleModel model() {
        return mpart(part(HostsPart.ID)).getContext().get(ConsoleModel.class);
    }

    static EPartService partService() {
        return mpart(part(HostsPart.ID)).getContext().get(EPartService.class);
    }

    /** The root composite of a part, showing (and so creating) the part first. */
    static Composite show(String partId) {
        Optional<Composite> existing = findPart(partId);
        if (existing.isEmpty() || !existing.get().isVisible()) {
            partService().showPart(partId, PartState.ACTIVATE);
        }
        waitFor(() -> findPart(partId).filter(Control::isVisible).isPresent(), "part " + partId + " is shown");
        settle();
        return findPart(partId).orElseThrow();
    }

    /** A part's root composite, which must exist. */
    static Composite part(String partId) {
        waitFor(() -> findPart(partId).isPresent(), "part " + partId + " exists");
        return findPart(partId).orElseThrow();
    }

    private static Optional<Composite> findPart(String partId) {
        Shell window = findMainWindow();
        return window == null ? Optional.empty() : Optional.ofNullable(find(window, Composite.class,
                c -> partId.equals(c.getData(PartControls.PART_KEY))));
    }

    /** Points the console at the fixture hosts and waits until every listed host was contacted. */
    static ConsoleModel configure(FixtureNetwork network) throws Exception {
        ConsoleModel model = model();
        model.applySettings(network.settings(model), new char[0]);
        waitFor(() -> model.agents().all().size() == 5 && model.agents().all().stream().allMatch(
                a -> a.reachability() != Reachability.NOT_CONTACTED && a.reachability() != Reachability.CONTACTING),
                "the five fixture hosts are listed and contacted: " + model.agents().all().stream()
                        .map(a -> a.hostId() + "=" + a.reachability()).toList());
        return model;
    }

    static Agent agent(String hostId) {
        return model().agents().get(hostId).orElseThrow(() -> new AssertionError(hostId + " is not listed"));
    }

    // ---------------------------------------------------------------- finding widgets

    static <T extends Control> T find(Control root, Class<T> type, Predicate<T> test) {
        List<T> all = findAll(root, type, test);
        return all.isEmpty() ? null : all.get(0);
    }

    static <T extends Control> List<T> findAll(Control root, Class<T> type, Predicate<T> test) {
        List<T> out = new ArrayList<>();
        collect(root, type, test, out);
        return out;
    }

    private static <T extends Control> void collect(Control c, Class<T> type, Predicate<T> test, List<T> out) {
        if (type.isInstance(c) && test.test(type.cast(c))) {
            out.add(type.cast(c));
        }
        if (c instanceof Composite composite) {
            for (Control child : composite.getChildren()) {
                collect(child, type, test, out);
            }
        }
    }

    /** The visible shell whose title starts with {@code title}, once it is open. */
    static Shell shell(String title) {
        waitFor(() -> findShell(title) != null, "a window '" + title + "' opens");
        return findShell(title);
    }

    private static Shell findShell(String title) {
        for (Shell s : display().getShells()) {
            if (s.isVisible() && s.getText().startsWith(title)) {
                return s;
            }
        }
        return null;
    }

    static Button button(Control root, String label) {
        Button b = find(root, Button.class, x -> label.equals(x.getText().replace("&", "")));
        if (b == null) {
            throw new AssertionError("no button '" + label + "' in " + root + "; buttons: " + findAll(root, Button.class,
                    x -> true).stream().map(Button::getText).toList());
        }
        return b;
    }

    static CTabItem tab(Control root, String title) {
        for (CTabFolder folder : findAll(root, CTabFolder.class, f -> true)) {
            for (CTabItem item : folder.getItems()) {
                if (title.equals(item.getText())) {
                    return item;
                }
            }
        }
        throw new AssertionError("no tab '" + title + "'");
    }

    // ---------------------------------------------------------------- acting

    static void click(Button b) {
        if (!b.isEnabled()) {
            throw new AssertionError("button '" + b.getText() + "' is disabled");
        }
        if ((b.getStyle() & (SWT.CHECK | SWT.RADIO)) != 0) {
            b.setSelection(!b.getSelection());
        }
        b.notifyListeners(SWT.Selection, new Event());
    }

    static void type(Text text, String value) {
        text.setText(value);
    }

    static void select(Table table, int index) {
        table.setSelection(index);
        table.showSelection();
        Event e = new Event();
        e.item = table.getItem(index);
        table.notifyListeners(SWT.Selection, e);
    }

    /** Selects the first row whose column {@code column} reads {@code value}. */
    static int selectRow(Table table, int column, String value) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (value.equals(table.getItem(i).getText(column))) {
                select(table, i);
                return i;
            }
        }
        throw new AssertionError("no row with '" + value + "' in column " + column + "; rows: " + rows(table, column));
    }

    static List<String> rows(Table table, int column) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < table.getItemCount(); i++) {
            out.add(table.getItem(i).getText(column));
        }
        return out;
    }

    static void select(Combo combo, String item) {
        int i = List.of(combo.getItems()).indexOf(item);
        if (i < 0) {
            throw new AssertionError("no '" + item + "' in " + List.of(combo.getItems()));
        }
        combo.select(i);
        combo.notifyListeners(SWT.Selection, new Event());
    }

    static void selectTab(CTabItem item) {
        item.getParent().setSelection(item);
        settle();
    }

    /** Runs a main-menu command, e.g. ("Window", "Preferences..."). */
    static void menu(String menu, String item) {
        Menu bar = mainWindow().getMenuBar();
        for (MenuItem top : bar.getItems()) {
            if (top.getText().replace("&", "").equals(menu)) {
                // e4 fills menus when they are shown
                top.getMenu().notifyListeners(SWT.Show, new Event());
                for (MenuItem i : top.getMenu().getItems()) {
                    if (i.getText().replace("&", "").split("\t")[0].equals(item)) {
                        i.notifyListeners(SWT.Selection, new Event());
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no menu item " + menu + " > " + item);
    }

    // ---------------------------------------------------------------- waiting and dialogs

    /** Runs the event loop until the condition holds; a timer keeps display.sleep() from blocking on idle Xvfb. */
    static void waitFor(BooleanSupplier condition, String what) {
        waitFor(condition, what, TIMEOUT_MS);
    }

    /** {@link #waitFor(BooleanSupplier, String)} for work that takes longer (real QEMU and swtpm processes). */
    static void waitFor(BooleanSupplier condition, String what, long timeoutMs) {
        Display display = display();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting until " + what);
            }
            if (!display.readAndDispatch()) {
                display.timerExec(20, () -> { });
                display.sleep();
            }
        }
    }

    /** Processes pending events (layout, paint) until the queue is empty. */
    static void settle() {
        Display display = display();
        for (int i = 0; i < 10_000 && display.readAndDispatch(); i++) {
            // bounded: a part that keeps posting events must not hang the test
        }
        display.update();
    }

    /** What a dialog action left behind: an assertion that failed inside the dialog, if any. */
    static final class DialogRun {
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean done = new AtomicBoolean();

        /** Rethrows what failed inside the dialog, and fails if the dialog never opened. */
        void check() {
            Throwable t = failure.get();
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new AssertionError("dialog action failed: " + t, t);
            }
            if (!done.get()) {
                throw new AssertionError("the dialog never opened");
            }
        }
    }

    /**
     * Runs {@code action} on the next shell whose title starts with {@code title}, from inside the
     * event loop of the modal dialog about to open. The action drives its widgets and closes it; if the
     * action fails, the shell is closed so the test goes on and {@link DialogRun#check()} reports why.
     */
    static DialogRun whenShellOpens(String title, Consumer<Shell> action) {
        DialogRun run = new DialogRun();
        Display display = display();
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            Shell shell = null;
            for (Shell s : display.getShells()) {
                if (s.isVisible() && s.getText().startsWith(title)) {
                    shell = s;
                }
            }
            if (shell == null) {
                if (System.currentTimeMillis() < deadline) {
                    display.timerExec(50, poll[0]);
                }
                return;
            }
            run.done.set(true);
            try {
                settle();
                action.accept(shell);
            } catch (Throwable t) {
                run.failure.set(t);
                if (!shell.isDisposed()) {
                    shell.close();
                }
            }
        };
        display.timerExec(50, poll[0]);
        return run;
    }

    // ---------------------------------------------------------------- screenshots

    static Path screenshot(Shell shell, String name) {
        settle();
        // paint everything now, so the copy shows the widgets' current content
        Rectangle size = shell.getClientArea();
        shell.redraw(0, 0, size.width, size.height, true);
        shell.update();
        settle();
        Path dir = Paths.get(System.getProperty("vtpm.test.output", "target"), "screenshots");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Rectangle area = shell.getBounds();
        Image image = new Image(display(), area.width, area.height);
        GC gc = new GC(display());
        try {
            gc.copyArea(image, area.x, area.y);
            ImageLoader loader = new ImageLoader();
            loader.data = new ImageData[] {image.getImageData()};
            Path file = dir.resolve(name);
            loader.save(file.toString(), SWT.IMAGE_PNG);
            return file;
        } finally {
            gc.dispose();
            image.dispose();
        }
    }
}
