package org.vtpmmigrate.protocol.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.vtpmmigrate.protocol.StreamSummary;
import org.vtpmmigrate.protocol.wire.Bytes;

/**
 * The bytes AK_D signs to commit: label, migration id, transcript hash of the whole handshake,
 * record count, payload bytes and stream digest. The label starts with "VTPM", never with the TPM's
 * TPM_GENERATED magic, so a restricted AK may sign it.
 */
final class CommitPayload {
    private static final byte[] LABEL = "VTPM-MIGRATE-COMMIT-V1\0".getBytes(StandardCharsets.US_ASCII);

    private CommitPayload() {
    }

    static Bytes of(Bytes migrationId, Bytes handshakeHash, StreamSummary stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(LABEL);
        out.writeBytes(migrationId.toByteArray());
        out.writeBytes(handshakeHash.toByteArray());
        byte[] counts = new byte[16];
        RecordCrypto.putLong(counts, 0, stream.records());
        RecordCrypto.putLong(counts, 8, stream.payloadBytes());
        out.writeBytes(counts);
        out.writeBytes(stream.digest().toByteArray());
        return Bytes.of(out.toByteArray());
    }
}
