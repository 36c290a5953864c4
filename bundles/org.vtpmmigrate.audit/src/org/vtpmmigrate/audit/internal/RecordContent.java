package org.vtpmmigrate.audit.internal;

import java.time.Instant;

import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.LogHeader;

/** The signed part of a record: everything except the stored hash, check values and signature. */
public record RecordContent(long sequence, Instant time, String hostId, AuditEvent event, LogHeader header,
        byte[] previousHash) {

    public static RecordContent of(AuditRecord r) {
        return new RecordContent(r.sequence(), r.time(), r.hostId(), r.event(), r.header().orElse(null),
                r.previousHash());
    }
}
