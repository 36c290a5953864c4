package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.util.List;
import java.util.Optional;

import org.eclipse.jface.dialogs.DialogPage;
import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.console.dialogs.ConsolePreferences;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.ConsoleSettings;
import org.vtpmmigrate.console.model.Reachability;
import org.vtpmmigrate.console.model.SettingsStore;
import org.vtpmmigrate.console.parts.HostsPart;
import org.vtpmmigrate.console.parts.ProblemLine;

/**
 * Window > Preferences from an unconfigured console: trusted CAs, the console's identity, the
 * inventory and discovery, each checked as typed; OK stores them and the console reaches the agents.
 */
class PreferencesTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private static void showPage(Shell shell, String title) {
        Tree tree = find(shell, Tree.class, t -> true);
        for (TreeItem item : tree.getItems()) {
            if (item.getText().equals(title)) {
                tree.setSelection(item);
                Event e = new Event();
                e.item = item;
                tree.notifyListeners(SWT.Selection, e);
                ConsoleUi.settle();
                return;
            }
        }
        throw new AssertionError("no preference page " + title);
    }

    private static DialogPage page(Shell shell) {
        return (DialogPage) ((PreferenceDialog) shell.getData()).getSelectedPage();
    }

    private static Control pageControl(Shell shell) {
        return page(shell).getControl();
    }

    /** The path field after the label {@code label} on the page shown. */
    private static Text field(Shell shell, String label) {
        Label l = find(pageControl(shell), Label.class, x -> x.getText().equals(label));
        if (l == null) {
            throw new AssertionError("no field '" + label + "'");
        }
        Control[] siblings = l.getParent().getChildren();
        int i = java.util.Arrays.asList(siblings).indexOf(l);
        if (i + 1 >= siblings.length || !(siblings[i + 1] instanceof Text t)) {
            throw new AssertionError("'" + label + "' is not followed by a text field");
        }
        return t;
    }

    @Test
    void configuresTrustIdentityAndHostsFromScratch() throws Exception {
        FixtureNetwork network = FIXTURE.network();
        ConsoleModel model = ConsoleUi.model();
        model.applySettings(ConsoleSettings.empty(), new char[0]);
        Composite hosts = ConsoleUi.show(HostsPart.ID);
        ProblemLine problem = (ProblemLine) find(hosts, Composite.class, c -> c.getData(ProblemLine.KEY) != null)
                .getData(ProblemLine.KEY);
        waitFor(() -> model.agents().all().isEmpty() && problem.text().contains("No administrator CA"),
                "an unconfigured console says what is missing: " + problem.text());

        ConsoleUi.DialogRun run = ConsoleUi.whenShellOpens(ConsolePreferences.TITLE, shell -> {
            showPage(shell, ConsolePreferences.TRUST_PAGE);
            ConsoleUi.type(field(shell, "Administrator CA:"), network.caCertificate.toString());
            Label caInfo = find(pageControl(shell), Label.class, l -> l.getText().startsWith("CN="));
            assertTrue(caInfo.getText().startsWith("CN=vTPM Migrate test CA,O=vTPM Migrate, valid until"),
                    caInfo.getText());
            ConsoleUi.DialogRun add = ConsoleUi.whenShellOpens("Add TPM CA", d -> {
                ConsoleUi.type(find(d, Text.class, t -> true), network.ekCaBundle.toString());
                click(button(d, "OK"));
            });
            click(button(pageControl(shell), "Add..."));
            add.check();
            org.eclipse.swt.widgets.List cas = find(pageControl(shell), org.eclipse.swt.widgets.List.class, l -> true);
            assertEquals(List.of(network.ekCaBundle.toString()), List.of(cas.getItems()));
            ConsoleUi.screenshot(shell, "preferences-trust.png");

            showPage(shell, ConsolePreferences.IDENTITY_PAGE);
            ConsoleUi.type(field(shell, "Certificate:"), network.consoleCertificate.toString());
            ConsoleUi.type(field(shell, "Key:"), network.caCertificate.resolveSibling("administrator-ca.key").toString());
            assertEquals(IMessageProvider.WARNING, page(shell).getMessageType());
            assertTrue(page(shell).getMessage().contains("does not belong to the certificate"), page(shell).getMessage());
            ConsoleUi.type(field(shell, "Key:"), network.consoleKey.toString());
            assertEquals(IMessageProvider.INFORMATION, page(shell).getMessageType(), page(shell).getMessage());
            assertEquals("The console will connect as CN=console-admin,OU=administrator,O=vTPM Migrate",
                    page(shell).getMessage());
            ConsoleUi.screenshot(shell, "preferences-identity.png");

            showPage(shell, ConsolePreferences.HOSTS_PAGE);
            ConsoleUi.type(field(shell, "Inventory file:"), network.inventory.toString());
            Label info = find(pageControl(shell), Label.class, l -> l.getText().contains("agents listed"));
            assertTrue(info.getText().startsWith("5 agents listed: alpha 127.0.0.1:"), info.getText());
            Button discovery = find(pageControl(shell), Button.class, b -> b.getText().startsWith("List agents announced"));
            assertTrue(discovery.getSelection(), "DNS-SD is on by default");
            click(discovery);
            ConsoleUi.screenshot(shell, "preferences-hosts.png");
            click(button(shell, "Apply and Close"));
        });
        ConsoleUi.menu("Window", "Preferences...");
        run.check();

        waitFor(() -> model.agents().all().size() == 5 && model.agents().get("alpha").map(a -> a.reachability()
                == Reachability.REACHABLE).orElse(false), "the console reaches the inventory's agents");
        ConsoleSettings s = model.settings();
        assertEquals(Optional.of(network.caCertificate), s.administratorCa());
        assertEquals(Optional.of(network.consoleKey), s.identityKey());
        assertEquals(List.of(network.ekCaBundle), s.ekCaCertificates());
        assertEquals(Optional.of(network.inventory), s.inventoryFile());
        assertEquals(false, s.discoveryEnabled());
        assertEquals(s, new SettingsStore().load(), "the settings are stored in the workspace preferences");
        assertTrue(model.identity().credentials().isPresent());
    }
}
