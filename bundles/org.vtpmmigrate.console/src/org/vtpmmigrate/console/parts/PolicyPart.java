package org.vtpmmigrate.console.parts;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Text;

import jakarta.annotation.PostConstruct;

/** The attestation policy migrations are checked against. */
public class PolicyPart {
    public static final String ID = "org.vtpmmigrate.console.part.policy";

    @PostConstruct
    public void createControls(Composite parent) {
        Composite root = PartControls.root(parent, ID);
        PartControls.banner(root, "No policy loaded. A policy names the PCRs and banks a host must quote, "
                + "their reference values, and the measurements that are allowed or forbidden.");
        Text source = new Text(root, SWT.BORDER | SWT.MULTI | SWT.V_SCROLL | SWT.H_SCROLL | SWT.READ_ONLY);
        source.setMessage("Policy JSON");
        PartControls.fill(source);
    }
}
