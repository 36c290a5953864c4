package org.vtpmmigrate.console.parts;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Composite;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.swt.ChartComposite;
import org.jfree.data.category.DefaultCategoryDataset;

import jakarta.annotation.PostConstruct;

/** Audit records of every host, with their chain and signature status, and charts over them. */
public class AuditLogPart {
    public static final String ID = "org.vtpmmigrate.console.part.audit";

    @PostConstruct
    public void createControls(Composite parent) {
        Composite root = PartControls.root(parent, ID);
        PartControls.banner(root, "No audit records loaded. Each record is signed by its host's attestation key "
                + "and chained to the previous one.");
        SashForm sash = new SashForm(root, SWT.VERTICAL);
        PartControls.fill(sash);
        PartControls.table(sash, new String[] {"Time", "Host", "VM", "Phase", "Verdict", "Chain"},
                new int[] {160, 120, 120, 120, 200, 80});
        JFreeChart chart = ChartFactory.createBarChart("Verdicts per host", "Host", "Migrations",
                new DefaultCategoryDataset());
        new ChartComposite(sash, SWT.NONE, chart, true);
        sash.setWeights(3, 2);
    }
}
