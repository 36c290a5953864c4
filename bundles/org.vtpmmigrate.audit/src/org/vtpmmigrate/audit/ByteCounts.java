package org.vtpmmigrate.audit;

import org.vtpmmigrate.audit.internal.Fields;

/**
 * Bytes moved by a migration so far.
 *
 * @param vmStream QEMU migration stream (plaintext)
 * @param vtpmState vTPM state (plaintext)
 * @param onWire everything sent or received on the peer connection, record framing and tags included
 */
public record ByteCounts(long vmStream, long vtpmState, long onWire) {
    public ByteCounts {
        Fields.nonNegative("bytes.vmStream", vmStream);
        Fields.nonNegative("bytes.vtpmState", vtpmState);
        Fields.nonNegative("bytes.onWire", onWire);
    }
}
