package org.vtpmmigrate.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vtpmmigrate.console.tests.ConsoleUi.button;
import static org.vtpmmigrate.console.tests.ConsoleUi.click;
import static org.vtpmmigrate.console.tests.ConsoleUi.find;
import static org.vtpmmigrate.console.tests.ConsoleUi.waitFor;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.policy.Policy;
import org.vtpmmigrate.attest.policy.PolicyJson;
import org.vtpmmigrate.console.model.ConsoleModel;
import org.vtpmmigrate.console.model.PolicyDraft;
import org.vtpmmigrate.console.parts.PolicyPart;
import org.vtpmmigrate.console.parts.ProblemLine;

/**
 * The policy editor: a policy from a host's evidence, form and JSON kept in step both ways with
 * validation at each keystroke, differences to a tampered host, Keylime import, saving to agents, and
 * choosing the policy for attestation.
 */
class PolicyPartTest {
    @RegisterExtension
    static final ConsoleFixture FIXTURE = new ConsoleFixture();

    private ConsoleModel model;
    private Composite part;

    @BeforeEach
    void configure() throws Exception {
        model = ConsoleUi.configure(FIXTURE.network());
        part = ConsoleUi.show(PolicyPart.ID);
    }

    private PolicyDraft draft() {
        return ((PolicyPart) ConsoleUi.mpart(part).getObject()).draft();
    }

    private ProblemLine status() {
        return (ProblemLine) find(part, Composite.class, c -> c.getData(ProblemLine.KEY) != null).getData(ProblemLine.KEY);
    }

    private Text json() {
        return find(part, Text.class, t -> (t.getStyle() & SWT.MULTI) != 0);
    }

    private Text formField(String hint) {
        return find(part, Text.class, t -> t.getMessage() != null && t.getMessage().startsWith(hint));
    }

    private void chooseHost(String hostId) {
        Combo hosts = find(part, Combo.class, c -> List.of(c.getItems()).contains("alpha"));
        ConsoleUi.select(hosts, hostId);
    }

    /** Makes the policy from alpha's evidence the draft. */
    private void policyFromAlpha() {
        chooseHost("alpha");
        click(button(part, "New from host's evidence"));
        waitFor(() -> draft().policy().map(p -> p.id().equals("alpha-baseline")).orElse(false),
                "a policy is made from alpha's evidence: " + status().text());
    }

    @Test
    void referenceValuesAreSetAndRemovedPerPcrAndValidatedAsTyped() {
        policyFromAlpha();
        // another test may have left the differences on top: the editor is on the form
        ConsoleUi.selectTab(ConsoleUi.tab(part, PolicyPart.FORM_TAB));
        Composite editor = button(part, "Set").getParent();
        Spinner pcr = find(editor, Spinner.class, x -> true);
        Combo bank = find(editor, Combo.class, x -> true);
        Text values = find(editor, Text.class, x -> true);
        Label problem = find(editor, Label.class, l -> (l.getStyle() & SWT.WRAP) != 0);
        ConsoleUi.select(bank, "sha256");
        pcr.setSelection(7);
        pcr.notifyListeners(SWT.Modify, new Event());

        ConsoleUi.type(values, "zz");
        assertEquals("PCR 7 (sha256): value 1 is not hexadecimal.", problem.getText());
        assertFalse(button(part, "Set").isEnabled());
        ConsoleUi.type(values, "ab");
        assertEquals("PCR 7 (sha256): value 1 has 2 hex digits; a sha256 PCR has 64.", problem.getText());
        String digest = "11".repeat(32);
        String second = "2f".repeat(32);
        ConsoleUi.type(values, digest + ", " + second.toUpperCase());
        assertEquals("", problem.getText());
        click(button(part, "Set"));
        assertEquals(List.of(digest, second), List.copyOf(draft().policy().orElseThrow().referenceValues().get(7)
                .get(HashAlgorithm.SHA256)), "the row replaces PCR 7's values");
        assertTrue(json().getText().contains(digest) && json().getText().contains(second), "the JSON follows");
        assertTrue(draft().valid(), status().text());
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "policy-reference-editor.png");

        pcr.setSelection(20);
        pcr.notifyListeners(SWT.Modify, new Event());
        ConsoleUi.type(values, digest);
        assertTrue(problem.getText().startsWith("PCR 20 is not in the PCR selection for sha256"), problem.getText());
        assertFalse(button(part, "Set").isEnabled());

        pcr.setSelection(7);
        pcr.notifyListeners(SWT.Modify, new Event());
        click(button(part, "Remove"));
        assertFalse(draft().policy().orElseThrow().referenceValues().getOrDefault(7, java.util.Map.of())
                .containsKey(HashAlgorithm.SHA256), "PCR 7 has no reference any more");
        assertFalse(json().getText().contains(digest), "the JSON follows");
    }

    @Test
    void formAndJsonStayInStepAndAreValidatedAsTyped() {
        policyFromAlpha();
        assertTrue(status().text().contains("New policy alpha-baseline from the evidence of alpha"), status().text());
        assertTrue(json().getText().contains("\"id\": \"alpha-baseline\""), "the JSON tab shows the new policy");
        Policy generated = draft().policy().orElseThrow();
        assertTrue(generated.ima().orElseThrow().allowlist().size() >= 800, "the IMA log's files are allowed");
        assertEquals(12, generated.pcrSelection().size(), "the quoted PCRs are selected");

        // form -> JSON
        ConsoleUi.type(formField("what the policy is for"), "lab hosts as of today");
        assertTrue(json().getText().contains("\"description\": \"lab hosts as of today\""), json().getText());
        ConsoleUi.type(formField("letters, digits"), "lab-two");
        assertTrue(json().getText().contains("\"id\": \"lab-two\""));

        // the form refuses a selection that drops PCRs the policy has reference values for, and says why
        Text selection = formField("e.g. sha256:0-7,14");
        String before = json().getText();
        ConsoleUi.type(selection, "sha256:0-7");
        assertTrue(status().failure().isPresent(), "an invalid form is reported");
        assertTrue(status().text().contains("not in pcrSelection"), status().text());
        assertEquals(before, json().getText(), "the JSON keeps the last valid policy");
        ConsoleUi.type(selection, "sha256:0-10,14");
        assertTrue(status().failure().isEmpty(), status().text());

        // JSON -> form, and validation at every keystroke
        ConsoleUi.selectTab(ConsoleUi.tab(part, PolicyPart.JSON_TAB));
        ConsoleUi.type(json(), json().getText().replace("\"id\": \"lab-two\"", "\"id\": \"lab-three\""));
        assertEquals("lab-three", formField("letters, digits").getText(), "the form follows the JSON");
        String valid = json().getText();
        String bootAggregate = "\"checkBootAggregate\": " + draft().policy().orElseThrow().ima().orElseThrow()
                .checkBootAggregate();
        assertTrue(valid.contains(bootAggregate), "the JSON holds the IMA rules");
        ConsoleUi.type(json(), valid.replace(bootAggregate, "\"checkBootAggregate\": \"yes\""));
        assertFalse(draft().valid());
        assertTrue(status().text().startsWith("The policy text is not valid: The policy is not valid at line "),
                status().text());
        assertTrue(status().text().contains("ima.checkBootAggregate"), "the error names the JSON path: "
                + status().text());
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "policy-json-invalid.png");
        ConsoleUi.type(json(), valid);
        assertTrue(draft().valid(), status().text());
        assertTrue(status().text().startsWith("Valid policy lab-three@sha256:"), status().text());
        ConsoleUi.selectTab(ConsoleUi.tab(part, PolicyPart.FORM_TAB));
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "policy-form.png");
    }

    @Test
    void differencesToATamperedHostsEvidence() {
        policyFromAlpha();
        chooseHost("charlie");
        click(button(part, "Differences to host's evidence"));
        Table diff = find(part, Table.class, t -> t.getColumnCount() == 5 && t.getColumn(2).getText().equals("Policy expects"));
        waitFor(() -> diff.getItemCount() > 0, "the differences are listed");
        List<String> rows = new ArrayList<>();
        for (TableItem i : diff.getItems()) {
            rows.add(i.getText(0) + " | " + i.getText(1) + " | " + i.getText(2) + " | " + i.getText(3));
        }
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("ERROR | PCR reference value: PCR 7 (sha256)")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("ERROR | IMA file") && r.contains(FixtureHost.UNEXPECTED_FILE)
                && r.contains("a path on the allowlist")), rows.toString());
        assertTrue(status().text().startsWith("charlie does not satisfy policy alpha-baseline"), status().text());
        ConsoleUi.screenshot(ConsoleUi.mainWindow(), "policy-differences.png");

        chooseHost("bravo");
        click(button(part, "Differences to host's evidence"));
        waitFor(() -> status().text().startsWith("bravo satisfies policy alpha-baseline"),
                "a clean host satisfies the policy made from another clean host: " + status().text());
    }

    @Test
    void importsKeylimeRulesSavesToAgentsAndIsUsedForAttestation() throws Exception {
        policyFromAlpha();
        ConsoleUi.type(formField("letters, digits"), "lab-keylime");
        ConsoleUi.DialogRun pick = ConsoleUi.whenShellOpens("Import Keylime runtime policy", shell -> {
            ConsoleUi.type(find(shell, Text.class, t -> true), FIXTURE.network().keylimePolicy.toString());
            click(button(shell, "OK"));
        });
        click(button(part, "Import Keylime policy..."));
        pick.check();
        assertTrue(status().text().startsWith("IMA rules imported from "), status().text());
        Policy imported = draft().policy().orElseThrow();
        assertTrue(imported.ima().orElseThrow().allowlist().containsKey("/boot/grub2/i386-pc/tr.mod"),
                "the Keylime digests are the allowlist now");
        Label summary = find(part, Label.class, l -> l.getText().endsWith("excludes"));
        assertTrue(summary.getText().startsWith(imported.ima().get().allowlist().size() + " files on the allowlist"),
                summary.getText());

        ConsoleUi.DialogRun choose = ConsoleUi.whenShellOpens("Save policy to agents", shell -> {
            Table hosts = find(shell, Table.class, t -> true);
            assertFalse(button(shell, "OK").isEnabled(), "nothing chosen yet");
            for (TableItem item : hosts.getItems()) {
                if (item.getText().equals("bravo") || item.getText().equals("charlie")) {
                    item.setChecked(true);
                    Event e = new Event();
                    e.item = item;
                    e.detail = SWT.CHECK;
                    hosts.notifyListeners(SWT.Selection, e);
                }
            }
            ConsoleUi.screenshot(shell, "policy-save-to-agents.png");
            click(button(shell, "OK"));
        });
        click(button(part, "Save to agents..."));
        choose.check();
        waitFor(() -> status().text().startsWith("Policy lab-keylime stored on bravo, charlie"), "stored: "
                + status().text());
        String stored = FIXTURE.network().agent("bravo").orElseThrow().policy("lab-keylime").text();
        assertEquals(imported, PolicyJson.parse(stored, "bravo", null), "bravo holds exactly the edited policy");

        click(button(part, "Use for attestation"));
        assertEquals("lab-keylime", model.activePolicy().orElseThrow().policy().id());
        assertTrue(status().text().endsWith("evidence is judged under it"), status().text());
        MPart mpart = ConsoleUi.mpart(part);
        assertEquals(PolicyPart.ID, mpart.getElementId());
    }
}
