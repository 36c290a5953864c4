package org.vtpmmigrate.console.parts;

import org.eclipse.swt.widgets.Composite;

import jakarta.annotation.PostConstruct;

/** Engine agents the console knows, with enrolment state and last verdict. */
public class HostsPart {
    public static final String ID = "org.vtpmmigrate.console.part.hosts";

    @PostConstruct
    public void createControls(Composite parent) {
        Composite root = PartControls.root(parent, ID);
        PartControls.banner(root, "No engine agents are known yet. Agents appear here when they are found "
                + "by DNS-SD or listed in the inventory file.");
        PartControls.table(root, new String[] {"Host", "Address", "Enrolment", "Last verdict", "TPM", "VMs"},
                new int[] {140, 140, 100, 160, 120, 50});
    }
}
