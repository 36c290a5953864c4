package org.vtpmmigrate.protocol.wire;

import java.util.Optional;

/** What a data record carries; the code is authenticated (part of the AEAD associated data). */
public enum RecordType {
    /** Bytes of QEMU's migration stream. */
    MIGRATION_STREAM(1),
    /** vTPM state sent beside the migration stream. */
    VTPM_STATE(2);

    /** Code of the end-of-stream record in the associated data; never a data record type. */
    public static final int END_OF_STREAM_CODE = 0xFF;

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<RecordType> fromCode(int code) {
        for (RecordType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
