package org.vtpmmigrate.console.dialogs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.preference.PreferenceManager;
import org.eclipse.jface.preference.PreferenceNode;
import org.eclipse.jface.preference.PreferencePage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.prefs.BackingStoreException;
import org.vtpmmigrate.console.model.ConsoleIdentity;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.ConsoleSettings;
import org.vtpmmigrate.console.model.Failure;
import org.vtpmmigrate.console.parts.FailureDialog;
import org.vtpmmigrate.discovery.HostEntry;
import org.vtpmmigrate.discovery.internal.InventoryFile;

/**
 * The console's preferences: whom it trusts (the administrator CA for agents' certificates, TPM
 * manufacturer CAs for EK certificates), who it is (its certificate and key), and where agents are
 * listed (the inventory file, DNS-SD on or off, hosts added by hand). Every field is checked as it is
 * typed; the settings apply when the dialog closes with OK.
 */
public final class ConsolePreferences {
    /** Title of the dialog's shell. */
    public static final String TITLE = "Preferences";
    public static final String TRUST_PAGE = "Trust";
    public static final String IDENTITY_PAGE = "Identity";
    public static final String HOSTS_PAGE = "Hosts";

    private ConsolePreferences() {
    }

    /** The settings being edited, shared by the pages. */
    static final class Pending {
        Optional<Path> administratorCa;
        List<Path> ekCas;
        Optional<Path> certificate;
        Optional<Path> key;
        char[] passphrase = new char[0];
        Optional<Path> inventory;
        boolean discovery;
        int refreshSeconds;
        List<ConsoleSettings.AddedHost> added;

        Pending(ConsoleSettings s) {
            administratorCa = s.administratorCa();
            ekCas = new ArrayList<>(s.ekCaCertificates());
            certificate = s.identityCertificate();
            key = s.identityKey();
            inventory = s.inventoryFile();
            discovery = s.discoveryEnabled();
            refreshSeconds = s.refreshSeconds();
            added = new ArrayList<>(s.addedHosts());
        }

        ConsoleSettings settings() {
            return new ConsoleSettings(administratorCa, certificate, key, ekCas, inventory, discovery, added,
                    refreshSeconds);
        }
    }

    /** Opens the dialog; OK applies the settings (and contacts the agents again). */
    public static int open(Shell shell, ConsoleModel model) {
        Pending pending = new Pending(model.settings());
        PreferenceManager manager = new PreferenceManager();
        manager.addToRoot(new PreferenceNode("trust", new TrustPage(pending)));
        manager.addToRoot(new PreferenceNode("identity", new IdentityPage(pending)));
        manager.addToRoot(new PreferenceNode("hosts", new HostsPage(pending)));
        PreferenceDialog dialog = new PreferenceDialog(shell, manager) {
            @Override
            protected void configureShell(Shell newShell) {
                super.configureShell(newShell);
                newShell.setText(TITLE);
            }

            @Override
            protected void okPressed() {
                super.okPressed();
                try {
                    model.applySettings(pending.settings(), pending.passphrase);
                } catch (BackingStoreException e) {
                    new FailureDialog(shell, new Failure("The preferences were applied but not saved",
                            "They could not be written to the workspace; they are lost when the console closes.",
                            String.valueOf(e))).open();
                }
            }
        };
        dialog.setMinimumPageSize(560, 320);
        return dialog.open();
    }

    /** A path typed in a field: empty for a blank field, or why the text is no path. */
    static Optional<Path> path(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(text.strip()));
    }

    /** A labelled path field with "Browse...". */
    static Text pathField(Composite parent, String label, Runnable changed) {
        new Label(parent, SWT.NONE).setText(label);
        Text text = new Text(parent, SWT.BORDER);
        GridDataFactory.fillDefaults().grab(true, false).hint(320, SWT.DEFAULT).applyTo(text);
        Button browse = new Button(parent, SWT.PUSH);
        browse.setText("Browse...");
        browse.addListener(SWT.Selection, e -> {
            FileDialog d = new FileDialog(parent.getShell(), SWT.OPEN);
            d.setFileName(text.getText());
            String picked = d.open();
            if (picked != null) {
                text.setText(picked);
            }
        });
        text.addListener(SWT.Modify, e -> changed.run());
        return text;
    }

    /** The certificates of a PEM file, or why they cannot be read. */
    static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new CertificateException("no certificate in " + file);
            }
            return out;
        }
    }

    /** Describes the certificates of a file, or says why they cannot be used. */
    static String describeCertificates(Path file) {
        try {
            StringBuilder out = new StringBuilder();
            for (X509Certificate c : certificates(file)) {
                out.append(c.getSubjectX500Principal().getName()).append(", valid until ")
                        .append(c.getNotAfter().toInstant()).append(c.getNotAfter().toInstant().isBefore(Instant.now())
                                ? " (EXPIRED)" : "").append('\n');
            }
            return out.toString().strip();
        } catch (IOException e) {
            return "cannot be read: " + e.getMessage();
        } catch (CertificateException e) {
            return "holds no readable certificate: " + e.getMessage();
        }
    }

    /** Trust: the administrator CA and the TPM manufacturer CAs. */
    static final class TrustPage extends PreferencePage {
        private final Pending pending;
        private Text administratorCa;
        private Label caInfo;
        private org.eclipse.swt.widgets.List ekCas;

        TrustPage(Pending pending) {
            super(TRUST_PAGE);
            this.pending = pending;
            setDescription("Agents must present certificates issued by the administrator CA. EK certificates must chain"
                    + " to one of the TPM manufacturer CAs.");
            noDefaultAndApplyButton();
        }

        @Override
        protected Control createContents(Composite parent) {
            Composite c = new Composite(parent, SWT.NONE);
            GridLayoutFactory.fillDefaults().numColumns(3).applyTo(c);
            administratorCa = pathField(c, "Administrator CA:", this::changed);
            administratorCa.setText(pending.administratorCa.map(Path::toString).orElse(""));
            caInfo = new Label(c, SWT.WRAP);
            GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(400, SWT.DEFAULT).applyTo(caInfo);
            Label l = new Label(c, SWT.NONE);
            l.setText("TPM manufacturer CAs:");
            GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.BEGINNING).applyTo(l);
            ekCas = new org.eclipse.swt.widgets.List(c, SWT.BORDER | SWT.V_SCROLL | SWT.SINGLE);
            GridDataFactory.fillDefaults().grab(true, true).hint(300, 90).applyTo(ekCas);
            Composite buttons = new Composite(c, SWT.NONE);
            GridLayoutFactory.fillDefaults().applyTo(buttons);
            Button add = new Button(buttons, SWT.PUSH);
            add.setText("Add...");
            add.addListener(SWT.Selection, e -> PathDialog.ask(getShell(), "Add TPM CA", "A PEM file of CA certificates"
                    + " that EK certificates may chain to.", PathDialog.Kind.OPEN_FILE, "").ifPresent(this::addEkCa));
            Button remove = new Button(buttons, SWT.PUSH);
            remove.setText("Remove");
            remove.addListener(SWT.Selection, e -> {
                int i = ekCas.getSelectionIndex();
                if (i >= 0) {
                    pending.ekCas.remove(i);
                    ekCas.remove(i);
                }
            });
            pending.ekCas.forEach(p -> ekCas.add(p.toString()));
            changed();
            return c;
        }

        /** Adds a TPM CA file (the "Add..." button's work, for tests too). */
        void addEkCa(Path file) {
            String info = describeCertificates(file);
            if (info.startsWith("cannot") || info.startsWith("holds no")) {
                setMessage(file + " " + info, IMessageProvider.ERROR);
                return;
            }
            pending.ekCas.add(file);
            ekCas.add(file.toString());
            setMessage("Added " + info.replace('\n', ';'), IMessageProvider.INFORMATION);
        }

        private void changed() {
            if (caInfo == null) {
                return; // still being created
            }
            try {
                pending.administratorCa = path(administratorCa.getText());
            } catch (InvalidPathException e) {
                setErrorMessage("Administrator CA: not a path: " + e.getReason());
                setValid(false);
                return;
            }
            setErrorMessage(null);
            setValid(true);
            caInfo.setText(pending.administratorCa.map(ConsolePreferences::describeCertificates)
                    .orElse("No administrator CA: the console cannot connect to any agent."));
            caInfo.getParent().layout(true, true);
        }
    }

    /** Identity: the console's administrator certificate and key. */
    static final class IdentityPage extends PreferencePage {
        private final Pending pending;
        private Text certificate;
        private Text key;
        private Text passphrase;
        private Label status;

        IdentityPage(Pending pending) {
            super(IDENTITY_PAGE);
            this.pending = pending;
            setDescription("The administrator certificate the console presents to agents, issued by the administrator"
                    + " CA, and its key. The passphrase is not stored.");
            noDefaultAndApplyButton();
        }

        @Override
        protected Control createContents(Composite parent) {
            Composite c = new Composite(parent, SWT.NONE);
            GridLayoutFactory.fillDefaults().numColumns(3).applyTo(c);
            certificate = pathField(c, "Certificate:", this::changed);
            certificate.setText(pending.certificate.map(Path::toString).orElse(""));
            key = pathField(c, "Key:", this::changed);
            key.setText(pending.key.map(Path::toString).orElse(""));
            new Label(c, SWT.NONE).setText("Key passphrase:");
            passphrase = new Text(c, SWT.BORDER | SWT.PASSWORD);
            passphrase.setMessage("only if the key is encrypted");
            GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(passphrase);
            passphrase.addListener(SWT.Modify, e -> changed());
            status = new Label(c, SWT.WRAP);
            GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(400, SWT.DEFAULT).applyTo(status);
            changed();
            return c;
        }

        private void changed() {
            if (status == null) {
                return; // still being created
            }
            try {
                pending.certificate = path(certificate.getText());
                pending.key = path(key.getText());
            } catch (InvalidPathException e) {
                setErrorMessage("Not a path: " + e.getReason());
                return;
            }
            pending.passphrase = passphrase.getText().toCharArray();
            ConsoleIdentity identity = ConsoleIdentity.load(pending.settings(), pending.passphrase.length == 0 ? null
                    : pending.passphrase);
            status.setText(identity.describe(Instant.now()));
            if (identity.problem().isPresent()) {
                // saving is still allowed: the CA or the key may be added afterwards
                setMessage(identity.problem().get().why(), IMessageProvider.WARNING);
            } else {
                setMessage("The console will connect as " + identity.credentials().get().subject(),
                        IMessageProvider.INFORMATION);
            }
            status.getParent().layout(true, true);
        }
    }

    /** Hosts: the inventory file, DNS-SD, and hosts added by hand. */
    static final class HostsPage extends PreferencePage {
        private final Pending pending;
        private Text inventory;
        private Label inventoryInfo;
        private Button discovery;
        private org.eclipse.swt.widgets.Spinner refresh;
        private org.eclipse.swt.widgets.List added;

        HostsPage(Pending pending) {
            super(HOSTS_PAGE);
            this.pending = pending;
            setDescription("Where the console learns of engine agents.");
            noDefaultAndApplyButton();
        }

        @Override
        protected Control createContents(Composite parent) {
            Composite c = new Composite(parent, SWT.NONE);
            GridLayoutFactory.fillDefaults().numColumns(3).applyTo(c);
            inventory = pathField(c, "Inventory file:", this::changed);
            inventory.setText(pending.inventory.map(Path::toString).orElse(""));
            inventoryInfo = new Label(c, SWT.WRAP);
            GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(400, SWT.DEFAULT).applyTo(inventoryInfo);
            discovery = new Button(c, SWT.CHECK);
            discovery.setText("List agents announced by DNS-SD (_vtpm-migrate._tcp)");
            discovery.setSelection(pending.discovery);
            discovery.addListener(SWT.Selection, e -> pending.discovery = discovery.getSelection());
            GridDataFactory.fillDefaults().span(3, 1).applyTo(discovery);
            new Label(c, SWT.NONE).setText("Refresh every:");
            refresh = new org.eclipse.swt.widgets.Spinner(c, SWT.BORDER);
            refresh.setValues(pending.refreshSeconds, 0, ConsoleSettings.MAX_REFRESH_SECONDS, 0, 1, 10);
            refresh.addListener(SWT.Modify, e -> pending.refreshSeconds = refresh.getSelection());
            new Label(c, SWT.NONE).setText("seconds (0: only when asked)");
            Label l = new Label(c, SWT.NONE);
            l.setText("Added by hand:");
            GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.BEGINNING).applyTo(l);
            added = new org.eclipse.swt.widgets.List(c, SWT.BORDER | SWT.V_SCROLL | SWT.SINGLE);
            GridDataFactory.fillDefaults().grab(true, true).hint(300, 70).applyTo(added);
            pending.added.forEach(h -> added.add(h.hostId() + "  " + h.baseUri()));
            Button remove = new Button(c, SWT.PUSH);
            remove.setText("Remove");
            GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.BEGINNING).applyTo(remove);
            remove.addListener(SWT.Selection, e -> {
                int i = added.getSelectionIndex();
                if (i >= 0) {
                    pending.added.remove(i);
                    added.remove(i);
                }
            });
            changed();
            return c;
        }

        private void changed() {
            if (inventoryInfo == null) {
                return; // still being created
            }
            try {
                pending.inventory = path(inventory.getText());
            } catch (InvalidPathException e) {
                setErrorMessage("Inventory: not a path: " + e.getReason());
                return;
            }
            setErrorMessage(null);
            if (pending.inventory.isEmpty()) {
                inventoryInfo.setText("No inventory file.");
            } else {
                try {
                    List<HostEntry> hosts = InventoryFile.read(pending.inventory.get());
                    inventoryInfo.setText(hosts.size() + " agents listed: " + String.join(", ",
                            hosts.stream().map(h -> h.hostId() + " " + h.address() + ":" + h.managementPort()).toList()));
                    setMessage(null);
                } catch (IOException | RuntimeException e) {
                    inventoryInfo.setText("The inventory cannot be used: " + e.getMessage());
                    setMessage("The inventory cannot be used: " + e.getMessage(), IMessageProvider.WARNING);
                }
            }
            inventoryInfo.getParent().layout(true, true);
        }
    }
}
