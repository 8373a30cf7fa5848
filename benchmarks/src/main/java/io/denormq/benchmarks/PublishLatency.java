package io.denormq.benchmarks;

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
 * What one {@code publish} adds to a transaction. Measures, per operation and in alternating blocks
 * so that the machine's drift affects all alike:
 * <ul>
 *   <li>baseline: an empty programmatic transaction (begin, commit);</li>
 *   <li>the same transaction publishing one message of {@code payloadBytes} (default 200);</li>
 *   <li>the {@code publish()} call alone, inside that transaction;</li>
 *   <li>the physical floor: one raw Chronicle Queue append of the same bytes.</li>
 * </ul>
 * Arguments: {@code [durability=WRITE_AHEAD] [transactions=1000000] [payloadBytes=200]}.
 */
public final class PublishLatency {
    private static final int BLOCK = 10_000;

    private PublishLatency() {
    }

    /**
     * @param args durability, measured transactions, payload bytes
     */
    public static void main(String[] args) throws Exception {
        Durability durability = args.length > 0 ? Durability.valueOf(args[0]) : Durability.WRITE_AHEAD;
        int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        byte[] payload = new byte[payloadBytes];
        Histogram empty = new Histogram(3);
        Histogram withPublish = new Histogram(3);
        Histogram publishCall = new Histogram(3);
        Histogram rawAppend = new Histogram(3);

        try (TempJournal journal = new TempJournal("latency"); TempJournal raw = new TempJournal("raw");
             SingleChronicleQueue chronicle = SingleChronicleQueueBuilder.binary(raw.dir()).build();
             ExcerptAppender appender = chronicle.createAppender()) {
            DenormQueue queue = DenormQueue.builder(journal.dir()).durability(durability).flush(FlushPolicy.none())
                    .handler("noop", message -> { }).build();
            try {
                int warmup = Math.max(BLOCK, transactions / 5);
                run(queue, appender, payload, warmup, null, null, null, null);
                run(queue, appender, payload, transactions, empty, withPublish, publishCall, rawAppend);
                queue.awaitProcessed(Duration.ofMinutes(1));
            } finally {
                queue.close();
            }
        }
        System.out.printf("%nPublish latency: one %d-byte message per transaction, %s, flush none, %,d transactions"
                + " (after warm-up), %s%n%n", payloadBytes, durability, transactions, Machine.describe());
        System.out.printf("%-44s %9s %9s %9s %9s%n", "operation (ns)", "p50", "p99", "p99.9", "max");
        row("empty transaction (baseline)", empty);
        row("transaction with one publish", withPublish);
        row("  publish() call alone", publishCall);
        row("raw Chronicle append of the bytes (floor)", rawAppend);
        long added50 = withPublish.getValueAtPercentile(50) - empty.getValueAtPercentile(50);
        long added99 = withPublish.getValueAtPercentile(99) - empty.getValueAtPercentile(99);
        System.out.printf("%nadded by denormq to a transaction: p50 %d ns, p99 %d ns%n", added50, added99);
        System.out.printf("added p50 / raw append p50: %.2f (%s journals %s per transaction)%n",
                (double) added50 / rawAppend.getValueAtPercentile(50), durability,
                durability == Durability.WRITE_AHEAD ? "a batch and a release record" : "one record");
    }

    private static void run(DenormQueue queue, ExcerptAppender appender, byte[] payload, int transactions,
                            Histogram empty, Histogram withPublish, Histogram publishCall, Histogram rawAppend)
            throws Exception {
        for (int done = 0; done < transactions; done += BLOCK) {
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    tx.commit(() -> { });
                }
                record(empty, System.nanoTime() - start);
            }
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                long publishNanos;
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    long before = System.nanoTime();
                    queue.publish("order-placed", "customer-42", payload);
                    publishNanos = System.nanoTime() - before;
                    tx.commit(() -> { });
                }
                record(withPublish, System.nanoTime() - start);
                record(publishCall, publishNanos);
            }
            for (int i = 0; i < BLOCK; i++) {
                long start = System.nanoTime();
                try (DocumentContext context = appender.writingDocument()) {
                    context.wire().bytes().write(payload);
                }
                record(rawAppend, System.nanoTime() - start);
            }
        }
    }

    private static void record(Histogram histogram, long nanos) {
        if (histogram != null) {
            histogram.recordValue(nanos);
        }
    }

    private static void row(String name, Histogram histogram) {
        System.out.printf("%-44s %9d %9d %9d %9d%n", name, histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }
}
