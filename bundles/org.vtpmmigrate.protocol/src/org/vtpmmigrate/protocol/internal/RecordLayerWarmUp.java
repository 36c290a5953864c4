package org.vtpmmigrate.protocol.internal;

import java.nio.ByteBuffer;

import javax.crypto.SecretKey;

import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.DataRecord;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.MalformedFrameException;
import org.vtpmmigrate.protocol.wire.RecordType;

/** Runs records through the same sealer and opener a session uses, to get them compiled. */
public final class RecordLayerWarmUp {
    /** Small records: what gets compiled depends on the number of calls, not on their size. */
    public static final int PAYLOAD = 512;
    /** Beyond the invocation counts after which HotSpot's optimising compiler takes a method. */
    private static final int RECORDS = 20_000;

    private RecordLayerWarmUp() {
    }

    public static void run(SecretKey key, ByteBuffer payload) {
        Bytes id = Bytes.of(new byte[16]);
        RecordSealer sealer = new RecordSealer(key, RecordCrypto.SOURCE_TO_DESTINATION, id);
        RecordOpener opener = new RecordOpener(key, RecordCrypto.SOURCE_TO_DESTINATION, id);
        ByteBuffer frame = ByteBuffer.allocate(RecordSealer.MAX_FRAME);
        try {
            for (int i = 0; i < RECORDS; i++) {
                frame.clear();
                payload.clear();
                int length = sealer.seal(RecordType.MIGRATION_STREAM, payload, frame);
                DataRecord record = (DataRecord) FrameCodec.decode(ByteBuffer.wrap(frame.array(), 0, length));
                opener.open(record);
            }
        } catch (MalformedFrameException | RecordLayerException e) {
            throw new IllegalStateException("the record layer cannot open its own record: " + e.getMessage(), e);
        }
    }
}
