package io.denormq.benchmarks;

import java.util.concurrent.locks.LockSupport;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;

/**
 * What a reader on the other core costs a plain Chronicle Queue appender, by how closely it follows.
 * This is why denormq's reader reads back-to-back commits in batches ({@code ReaderIdle}): a tailer
 * that reads each record right after it is appended holds the record's cache lines when the appender
 * writes the next record beside them, and the appender waits for them to come back.
 *
 * <p>One appender thread appends records of {@code recordBytes} with {@code gapNanos} of busy work
 * between appends (a transaction's other work), timing each append; a second thread reads the same
 * queue in one of these ways, each in its own round on a fresh queue, rounds alternating:
 * <ul>
 *   <li>{@code none}: no reader (the baseline);</li>
 *   <li>{@code chase}: reads whenever a record is there, spinning otherwise;</li>
 *   <li>{@code batch}: parks 20 µs (unrung) whenever it has caught up, then reads what came meanwhile.</li>
 * </ul>
 * Reports each way's append percentiles and its p50 as a ratio of the baseline's in the same run.
 *
 * <p>Arguments: {@code [appends=1000000] [recordBytes=260] [gapNanos=300] [rounds=2]}.
 */
public final class ReaderProximity {
    private static final String[] WAYS = {"none", "chase", "batch"};
    private static final long BATCH_PARK_NANOS = 20_000;

    private ReaderProximity() {
    }

    /**
     * @param args appends per round, record bytes, busy nanoseconds between appends, rounds
     * @throws Exception if a queue cannot be written
     */
    public static void main(String[] args) throws Exception {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int recordBytes = args.length > 1 ? Integer.parseInt(args[1]) : 260;
        long gapNanos = args.length > 2 ? Long.parseLong(args[2]) : 300;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        System.out.printf("%nReader proximity: %,d appends of %d bytes per round, %d ns of work between appends, "
                + "%d rounds of each way after a warm-up round; %s%n", appends, recordBytes, gapNanos, rounds,
                Machine.describe());
        for (String way : WAYS) {
            measure(way, appends / 2, recordBytes, gapNanos); // warm-up, not reported
        }
        System.out.printf("%-6s %6s %8s %8s %8s %8s %12s %14s%n", "round", "reader", "p50 ns", "p90 ns", "p99 ns",
                "mean ns", "p50 / none", "reader passes");
        for (int round = 1; round <= rounds; round++) {
            long baseline = 0;
            for (String way : WAYS) {
                Result result = measure(way, appends, recordBytes, gapNanos);
                long p50 = result.appends.getValueAtPercentile(50);
                if (way.equals("none")) {
                    baseline = p50;
                }
                System.out.printf("%-6d %6s %,8d %,8d %,8d %,8.0f %12.2f %,14d%n", round, way, p50,
                        result.appends.getValueAtPercentile(90), result.appends.getValueAtPercentile(99),
                        result.appends.getMean(), (double) p50 / baseline, result.readerPasses);
            }
        }
    }

    private record Result(Histogram appends, long readerPasses) {
    }

    private static Result measure(String way, int appends, int recordBytes, long gapNanos) throws Exception {
        byte[] record = new byte[recordBytes];
        Histogram histogram = new Histogram(3);
        try (TempJournal journal = new TempJournal("proximity");
             SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal.dir()).build();
             ExcerptAppender appender = queue.createAppender()) {
            Reader reader = way.equals("none") ? null : new Reader(queue, way.equals("batch"));
            Thread thread = reader == null ? null : new Thread(reader, "proximity-reader");
            if (thread != null) {
                thread.start();
            }
            for (int i = 0; i < appends; i++) {
                long start = System.nanoTime();
                try (DocumentContext context = appender.writingDocument()) {
                    context.wire().bytes().write(record);
                }
                long end = System.nanoTime();
                histogram.recordValue(end - start);
                while (System.nanoTime() - end < gapNanos) {
                    Thread.onSpinWait();
                }
            }
            if (thread != null) {
                reader.stop = true;
                thread.join();
            }
            return new Result(histogram, reader == null ? 0 : reader.passes);
        }
    }

    /** Reads the queue to its end, again and again; between passes it spins or parks. */
    private static final class Reader implements Runnable {
        private final SingleChronicleQueue queue;
        private final boolean batch;
        volatile boolean stop;
        long passes;

        Reader(SingleChronicleQueue queue, boolean batch) {
            this.queue = queue;
            this.batch = batch;
        }

        @Override
        public void run() {
            try (ExcerptTailer tailer = queue.createTailer()) {
                while (!stop) {
                    boolean found = false;
                    while (true) {
                        try (DocumentContext context = tailer.readingDocument()) {
                            if (!context.isPresent()) {
                                break;
                            }
                            found = true;
                        }
                    }
                    if (found) {
                        passes++;
                    }
                    if (batch) {
                        LockSupport.parkNanos(BATCH_PARK_NANOS);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }
}
