package org.vtpmmigrate.protocol;

import java.nio.ByteBuffer;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.memory.InMemoryLink;
import org.vtpmmigrate.protocol.wire.FrameCodec;
import org.vtpmmigrate.protocol.wire.Limits;
import org.vtpmmigrate.protocol.wire.RecordType;

/**
 * Throughput of the record layer in memory, 64 KiB records, one core: plain copy (the floor), seal
 * only, and seal + decode + open through the sessions (what a migration costs in CPU on both ends).
 * Not a test. Run: {@code java -cp <classes>:<jars> org.vtpmmigrate.protocol.RecordLayerBenchmark [GiB [rounds]]}.
 */
public final class RecordLayerBenchmark {
    private RecordLayerBenchmark() {
    }

    public static void main(String[] args) {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long records = gib * 1024 * 1024 * 1024 / Limits.MAX_RECORD_PAYLOAD;
        byte[] payload = Scenario.stream(Limits.MAX_RECORD_PAYLOAD, 1);
        byte[] copyTarget = new byte[FrameCodec.HEADER_LENGTH + Limits.MAX_DATA_RECORD_BODY];
        System.out.printf("Java %s, %s, %d x 64 KiB records (%d GiB) per run%n", System.getProperty("java.version"),
                System.getProperty("os.arch"), records, gib);
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < records; i++) {
                System.arraycopy(payload, 0, copyTarget, (int) (i & 7), payload.length);
            }
            report(round, "plain copy", records, System.nanoTime() - t0);

            InMemoryLink link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start();
            SourceSession source = link.source();
            ByteBuffer frame = ByteBuffer.allocate(copyTarget.length);
            t0 = System.nanoTime();
            for (long i = 0; i < records; i++) {
                frame.clear();
                seal(source, payload, frame);
            }
            report(round, "seal (AES-256-GCM)", records, System.nanoTime() - t0);

            link = new Scenario().link(InMemoryLink.FaultInjector.NONE).start();
            source = link.source();
            DestinationSession destination = link.destination();
            long opened = 0;
            t0 = System.nanoTime();
            for (long i = 0; i < records; i++) {
                frame.clear();
                int n = seal(source, payload, frame);
                Outcome o = destination.receive(ByteBuffer.wrap(frame.array(), 0, n));
                opened += o.payload().orElseThrow().remaining();
            }
            report(round, "seal + open", records, System.nanoTime() - t0);
            if (opened != records * payload.length) {
                throw new IllegalStateException("opened " + opened + " bytes");
            }
        }
    }

    private static int seal(SourceSession source, byte[] payload, ByteBuffer frame) {
        try {
            return source.sealRecord(RecordType.MIGRATION_STREAM, ByteBuffer.wrap(payload), frame);
        } catch (ProtocolFailureException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(int round, String what, long records, long nanos) {
        double bytes = (double) records * Limits.MAX_RECORD_PAYLOAD;
        System.out.printf("round %d  %-20s %7.2f GB/s%n", round, what, bytes / nanos);
    }
}
