package org.vtpmmigrate.engine.internal.host;

import java.util.Locale;

import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.EventKind;

/** One line saying what a record is about, for lists: "attestation verdict of vm-1 to host-b: TRUSTED". */
final class AuditSummaries {
    private AuditSummaries() {
    }

    static String of(AuditRecord r) {
        StringBuilder s = new StringBuilder(r.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        r.event().vmId().ifPresent(v -> s.append(" of ").append(v));
        r.event().peerHost().ifPresent(p -> s.append(r.event().role()
                .map(role -> role == org.vtpmmigrate.audit.Role.SOURCE ? " to " : " from ").orElse(" with ")).append(p));
        r.event().verdict().ifPresent(v -> s.append(": ").append(v));
        if (r.kind() == EventKind.LOG_OPENED) {
            s.append(" by ").append(r.hostId());
        }
        return s.toString();
    }
}
