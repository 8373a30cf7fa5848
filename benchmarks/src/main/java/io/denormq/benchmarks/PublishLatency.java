package io.denormq.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;

/**
 * What one {@code publish} adds to a transaction, as a latency distribution (HdrHistogram). Measured
 * per operation, in alternating blocks of {@value #BLOCK} so that the machine's drift affects every
 * operation alike:
 * <ol>
 *   <li>the timer itself (two {@code System.nanoTime()} calls back to back);</li>
 *   <li>baseline: an empty programmatic transaction (begin, commit);</li>
 *   <li>the same transaction publishing one message of {@code payloadBytes} (begin, publish, commit);</li>
 *   <li>the {@code publish()} call alone, inside such a transaction (timed in a block of its own, so
 *       that its timer calls do not inflate the figure above);</li>
 *   <li>the physical floor: one raw Chronicle Queue append of the same bytes.</li>
 * </ol>
 * The queue has flush {@code none} and one no-op handler, whose thread and the journal reader's run
 * during the measurement. "Added by denormq" is the difference between the percentiles of (3) and
 * (2), not a percentile of differences. Afterwards it reports the bytes the publishing thread
 * allocates per transaction, and draws the four distributions ({@link PercentilePlot},
 * {@code publish-latency-<durability>.png}).
 *
 * <p>Arguments: {@code [durability=WRITE_AHEAD] [transactions=2000000] [payloadBytes=200] [warmup=500000]}.
 */
public final class PublishLatency {
    private static final int BLOCK = 10_000;
    private static final int ALLOCATION_SAMPLE = 100_000;

    private PublishLatency() {
    }

    /** The histograms of one run; null fields are not recorded (warm-up). */
    private static final class Histograms {
        final Histogram timer = new Histogram(3);
        final Histogram empty = new Histogram(3);
        final Histogram withPublish = new Histogram(3);
        final Histogram publishCall = new Histogram(3);
        final Histogram rawAppend = new Histogram(3);
    }

    /**
     * @param args durability, measured transactions, payload bytes, warm-up transactions
     * @throws Exception if the journal cannot be written
     */
    public static void main(String[] args) throws Exception {
        Durability durability = args.length > 0 ? Durability.valueOf(args[0]) : Durability.WRITE_AHEAD;
        int transactions = roundToBlock(args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000);
        int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int warmup = roundToBlock(args.length > 3 ? Integer.parseInt(args[3]) : 500_000);
        byte[] payload = PublishBenchmark.payload(payloadBytes);
        Histograms measured = new Histograms();
        long[] allocated;

        System.out.printf("%nPublish latency: one %d-byte message per transaction, %s, flush none, one no-op handler; "
                + "%,d transactions per operation after %,d of warm-up; %s%n", payloadBytes, durability, transactions,
                warmup, Machine.describe());
        long started = System.nanoTime();
        try (TempJournal journal = new TempJournal("latency"); TempJournal raw = new TempJournal("raw");
             SingleChronicleQueue chronicle = SingleChronicleQueueBuilder.binary(raw.dir()).build();
             ExcerptAppender appender = chronicle.createAppender()) {
            DenormQueue queue = DenormQueue.builder(journal.dir()).durability(durability).flush(FlushPolicy.none())
                    .handler("noop", message -> { }).build();
            try {
                run(queue, appender, payload, warmup, new Histograms());
                run(queue, appender, payload, transactions, measured);
                allocated = allocatedPerTransaction(queue, payload);
                if (!queue.awaitProcessed(Duration.ofMinutes(1))) {
                    System.out.println("warning: the handler had not caught up one minute after the run");
                }
            } finally {
                queue.close();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        System.out.printf("%n%-46s %8s %8s %8s %8s %8s %10s %8s%n", "operation (ns)", "p50", "p90", "p99", "p99.9",
                "p99.99", "max", "mean");
        row("timer: two nanoTime() calls", measured.timer);
        row("empty transaction (baseline)", measured.empty);
        row("transaction with one publish", measured.withPublish);
        row("  publish() call alone", measured.publishCall);
        row("raw Chronicle append of the bytes (floor)", measured.rawAppend);

        long added50 = at(measured.withPublish, 50) - at(measured.empty, 50);
        long added99 = at(measured.withPublish, 99) - at(measured.empty, 99);
        long added999 = at(measured.withPublish, 99.9) - at(measured.empty, 99.9);
        System.out.printf("%nadded by denormq to a transaction (difference of percentiles): p50 %,d ns, p99 %,d ns, "
                + "p99.9 %,d ns%n", added50, added99, added999);
        System.out.printf("transaction with one publish / empty transaction, p50: %.1f%n",
                (double) at(measured.withPublish, 50) / at(measured.empty, 50));
        System.out.printf("added p50 / raw append p50: %.2f (%s journals %s per transaction)%n",
                (double) added50 / at(measured.rawAppend, 50), durability,
                durability == Durability.WRITE_AHEAD ? "a batch record before the commit; back to back, the outcomes "
                        + "of many go into one RELEASES record" : "one record after the commit");
        if (allocated != null) {
            System.out.printf("bytes allocated by the publishing thread per transaction (mean of %,d): empty %d, "
                    + "with one publish %d%n", ALLOCATION_SAMPLE, allocated[0], allocated[1]);
        }
        new PercentilePlot("One publish in a programmatic transaction, " + durability + ", " + Machine.describe())
                .add("transaction with one publish", measured.withPublish)
                .add("empty transaction (baseline)", measured.empty)
                .add("raw Chronicle append (floor)", measured.rawAppend)
                .add("publish() call alone", measured.publishCall)
                .write("publish-latency-" + durability.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        System.out.printf("run took %.1f s%n", seconds);
    }

    private static int roundToBlock(int count) {
        return Math.max(BLOCK, (count + BLOCK - 1) / BLOCK * BLOCK);
    }

    private static void run(DenormQueue queue, ExcerptAppender appender, byte[] payload, int transactions,
                            Histograms histograms) throws Exception {
        for (int done = 0; done < transactions; done += BLOCK) {
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                histograms.timer.recordValue(System.nanoTime() - start);
            }
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    tx.commit(() -> { });
                }
                histograms.empty.recordValue(System.nanoTime() - start);
            }
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload);
                    tx.commit(() -> { });
                }
                histograms.withPublish.recordValue(System.nanoTime() - start);
            }
            for (int i = 0; i < BLOCK; i++) {
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    long start = System.nanoTime();
                    queue.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload);
                    histograms.publishCall.recordValue(System.nanoTime() - start);
                    tx.commit(() -> { });
                }
            }
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                try (DocumentContext context = appender.writingDocument()) {
                    context.wire().bytes().write(payload);
                }
                histograms.rawAppend.recordValue(System.nanoTime() - start);
            }
        }
    }

    /** @return the mean bytes allocated by this thread per empty transaction and per one-publish transaction */
    private static long[] allocatedPerTransaction(DenormQueue queue, byte[] payload) throws Exception {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            return null;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < ALLOCATION_SAMPLE; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                tx.commit(() -> { });
            }
        }
        long middle = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < ALLOCATION_SAMPLE; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload);
                tx.commit(() -> { });
            }
        }
        long after = threads.getThreadAllocatedBytes(id);
        return new long[] {(middle - before) / ALLOCATION_SAMPLE, (after - middle) / ALLOCATION_SAMPLE};
    }

    private static long at(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile);
    }

    private static void row(String name, Histogram histogram) {
        System.out.printf("%-46s %,8d %,8d %,8d %,8d %,8d %,10d %,8.0f%n", name, at(histogram, 50), at(histogram, 90),
                at(histogram, 99), at(histogram, 99.9), at(histogram, 99.99), histogram.getMaxValue(),
                histogram.getMean());
    }
}
