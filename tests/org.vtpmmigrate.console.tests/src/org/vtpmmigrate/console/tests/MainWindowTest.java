package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.console.parts.AuditLogPart;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.console.parts.InspectorPart;
import org.vtpmmigrate.console.parts.PartControls;
import org.vtpmmigrate.console.parts.PolicyPart;

/** The console's main window as the product starts it (Tycho UI harness, UI thread, Xvfb in CI). */
class MainWindowTest {
    private static final long TIMEOUT_MS = 30_000;

    @Test
    void mainWindowShowsItsPartsAndIsScreenshot() throws Exception {
        Display display = Display.getCurrent();
        assertNotNull(display, "the test runs on the UI thread");
        Shell window = waitFor(display, () -> mainWindow(display) != null, "the console's main window opens")
                ? mainWindow(display) : null;
        assertNotNull(window);
        assertEquals("vTPM Migrate Console", window.getText());
        assertTrue(window.isVisible(), "main window visible");

        Map<String, Composite> parts = new HashMap<>();
        collectParts(window, parts);
        // the Hosts part and the first part of the work stack are rendered eagerly
        assertTrue(parts.containsKey(HostsPart.ID), "Hosts part present, found " + parts.keySet());
        assertTrue(parts.containsKey(InspectorPart.ID), "Inspector part present, found " + parts.keySet());
        Table hosts = first(parts.get(HostsPart.ID), Table.class);
        assertNotNull(hosts, "Hosts part has its table");
        assertEquals("Host", hosts.getColumn(0).getText());

        List<String> tabs = tabLabels(window);
        for (String expected : List.of("Hosts", "PCRs & Measurements", "Policy", "Attestation Log")) {
            assertTrue(tabs.contains(expected), "tab '" + expected + "' present, found " + tabs);
        }
        assertTrue(AuditLogPart.ID.startsWith("org.vtpmmigrate.console.part") && PolicyPart.ID.endsWith("policy"));

        window.setSize(1440, 920);
        settle(display);
        Path shot = screenshot(display, window, "console-main-window.png");
        assertTrue(Files.size(shot) > 10_000, "screenshot written: " + shot);
        assertTrue(paintedColours(display, window) > 8, "the window painted more than a blank background");
    }

    private static Shell mainWindow(Display display) {
        for (Shell s : display.getShells()) {
            if (s.isVisible() && "vTPM Migrate Console".equals(s.getText())) {
                return s;
            }
        }
        return null;
    }

    private static void collectParts(Control control, Map<String, Composite> found) {
        Object id = control.getData(PartControls.PART_KEY);
        if (id instanceof String && control instanceof Composite c) {
            found.put((String) id, c);
        }
        if (control instanceof Composite c) {
            for (Control child : c.getChildren()) {
                collectParts(child, found);
            }
        }
    }

    private static <T extends Control> T first(Control control, Class<T> type) {
        if (type.isInstance(control)) {
            return type.cast(control);
        }
        if (control instanceof Composite c) {
            for (Control child : c.getChildren()) {
                T t = first(child, type);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private static List<String> tabLabels(Control control) {
        List<String> labels = new ArrayList<>();
        if (control instanceof org.eclipse.swt.custom.CTabFolder folder) {
            for (org.eclipse.swt.custom.CTabItem item : folder.getItems()) {
                labels.add(item.getText().replace("&&", "&")); // e4 doubles & so it is not a mnemonic
            }
        }
        if (control instanceof Composite c) {
            for (Control child : c.getChildren()) {
                labels.addAll(tabLabels(child));
            }
        }
        return labels;
    }

    /** Runs the event loop until the condition holds; a timer keeps display.sleep() from blocking on idle Xvfb. */
    private static boolean waitFor(Display display, BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting until " + what);
            }
            if (!display.readAndDispatch()) {
                display.timerExec(20, () -> { });
                display.sleep();
            }
        }
        return true;
    }

    /** Processes pending events (layout, paint) until the queue is empty. */
    private static void settle(Display display) {
        for (int i = 0; i < 10_000 && display.readAndDispatch(); i++) {
            // bounded: a part that keeps posting events must not hang the test
        }
        display.update();
    }

    static Path screenshot(Display display, Shell shell, String name) throws Exception {
        Path dir = Paths.get(System.getProperty("vtpm.test.output", "target"), "screenshots");
        Files.createDirectories(dir);
        Rectangle area = shell.getBounds();
        Image image = new Image(display, area.width, area.height);
        GC gc = new GC(display);
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

    private static int paintedColours(Display display, Shell shell) {
        Rectangle area = shell.getBounds();
        Image image = new Image(display, area.width, area.height);
        GC gc = new GC(display);
        try {
            gc.copyArea(image, area.x, area.y);
            ImageData data = image.getImageData();
            java.util.Set<Integer> colours = new java.util.HashSet<>();
            for (int y = 0; y < data.height; y += 5) {
                for (int x = 0; x < data.width; x += 5) {
                    colours.add(data.getPixel(x, y));
                }
            }
            return colours.size();
        } finally {
            gc.dispose();
            image.dispose();
        }
    }
}
