package org.vtpmmigrate.console.parts;

import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.vtpmmigrate.console.model.EvidenceReport;
import org.vtpmmigrate.console.model.Reachability;

/**
 * The console's colours: green for trusted, red for untrusted or a mismatch, amber for authentic but
 * unjudged, and a separate grey-blue family for connection states, so that "unreachable" never looks
 * like "untrusted". (SWT colours made from RGB hold no system resources.)
 */
public final class Styles {
    public static final Color TRUSTED = new Color(0, 128, 0);
    public static final Color UNTRUSTED = new Color(190, 0, 0);
    public static final Color AUTHENTIC = new Color(170, 110, 0);
    public static final Color NOT_JUDGED = new Color(110, 110, 110);
    public static final Color REACHABLE = new Color(0, 90, 160);
    public static final Color UNREACHABLE = new Color(120, 120, 140);
    public static final Color IDENTITY_REFUSED = new Color(130, 50, 150);
    public static final Color MISMATCH_BACKGROUND = new Color(255, 215, 215);
    public static final Color WARNING_BACKGROUND = new Color(255, 240, 200);

    private Styles() {
    }

    public static Color of(EvidenceReport.Judgement judgement) {
        return switch (judgement) {
            case TRUSTED -> TRUSTED;
            case UNTRUSTED -> UNTRUSTED;
            case AUTHENTIC -> AUTHENTIC;
        };
    }

    public static Color of(Reachability reachability) {
        return switch (reachability) {
            case REACHABLE -> REACHABLE;
            case IDENTITY_REFUSED -> IDENTITY_REFUSED;
            case AGENT_ERROR -> AUTHENTIC;
            default -> UNREACHABLE;
        };
    }

    /** The monospace font, for digests and JSON. */
    public static Font monospace() {
        return JFaceResources.getTextFont();
    }
}
