package org.vtpmmigrate.protocol.wire;

import java.nio.ByteBuffer;
import java.util.List;

/** One valid instance of every message type, with fields at interesting sizes. */
final class Messages {
    private Messages() {
    }

    static Bytes filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return Bytes.of(b);
    }

    static List<Message> all() {
        PcrSelection twoBanks = new PcrSelection(List.of(PcrSelection.Bank.of(0x0004, 0, 7),
                PcrSelection.Bank.of(0x000B, 0, 1, 2, 3, 4, 5, 6, 7, 23)));
        return List.of(
                new MigrationRequest(filled(16, 1), "vm-42", "policy/web:v1", filled(32, 2), 7, List.of(1, 2)),
                new MigrationAccept(1, List.of(1, 2)),
                new AttestationChallenge(filled(32, 3), twoBanks),
                new AttestationEvidence(filled(120, 4), filled(72, 5),
                        List.of(new PcrValue(0x0004, 0, filled(20, 6)), new PcrValue(0x000B, 0, filled(32, 7)),
                                new PcrValue(0x000B, 23, filled(32, 8))),
                        filled(5000, 9), filled(300, 10),
                        List.of(new LaunchMeasurement("kernel", 0x000B, filled(32, 11)),
                                new LaunchMeasurement("disk:vda", 0x000C, filled(48, 12)))),
                new AttestationEvidence(filled(1, 4), filled(1, 5), List.of(), Bytes.EMPTY, Bytes.EMPTY, List.of()),
                new BoundKeyOffer(filled(90, 13), filled(150, 14), filled(72, 15)),
                new KeyExchange(filled(65, 16)),
                new KeyConfirm(filled(32, 17)),
                new DataRecord(5, RecordType.MIGRATION_STREAM, ByteBuffer.wrap(filled(1000, 18).toByteArray())),
                new DataRecord(0, RecordType.VTPM_STATE, ByteBuffer.wrap(filled(16, 19).toByteArray())),
                new EndOfStream(6, filled(EndOfStream.SEALED_LENGTH, 20)),
                new Commit(6, 123456, filled(32, 21), filled(70, 22)),
                new CommitAck(filled(32, 23)),
                new Abort(0x0023, "key confirmation failed: über-long détail"),
                new Abort(0x9999, ""),
                new Abort(0x0040, "commit signature rejected", filled(32, 24)));
    }
}
