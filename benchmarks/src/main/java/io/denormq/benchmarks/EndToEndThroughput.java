package io.denormq.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * Messages per second from commit to no-op handlers: one publisher thread commits {@code messages}
 * messages of 200 bytes (1 or 10 per transaction, WRITE_AHEAD, flush none), and the clock stops when
 * every handler has processed all of them. Baseline: the same loop with no publish (empty
 * transactions), whose rate bounds what the publisher alone can do. Argument: {@code [messages=2000000]}.
 */
public final class EndToEndThroughput {
    private EndToEndThroughput() {
    }

    /**
     * @param args message count
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        System.out.printf("%nEnd-to-end throughput, 200-byte messages, WRITE_AHEAD, flush none, one publisher thread, "
                + "%,d messages per run, %s%n%n", messages, Machine.describe());
        System.out.printf("%-12s %-9s %14s %12s%n", "per tx", "handlers", "messages/s", "seconds");
        run(messages, 1, 1); // warm-up, not reported
        for (int perTx : new int[] {1, 10}) {
            for (int handlers : new int[] {1, 4}) {
                double[] result = run(messages, perTx, handlers);
                System.out.printf("%-12d %-9d %,14.0f %12.2f%n", perTx, handlers, result[0], result[1]);
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                tx.commit(() -> { });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%nbaseline: %,.0f empty transactions/s on the same thread%n", messages / seconds);
    }

    private static double[] run(int messages, int perTransaction, int handlers) throws Exception {
        byte[] payload = new byte[200];
        AtomicLong[] counts = new AtomicLong[handlers];
        try (TempJournal journal = new TempJournal("e2e")) {
            DenormQueueBuilder builder = DenormQueue.builder(journal.dir()).ringSize(16_384);
            for (int h = 0; h < handlers; h++) {
                AtomicLong count = new AtomicLong();
                counts[h] = count;
                builder.handler("noop-" + h, message -> count.lazySet(count.get() + 1));
            }
            DenormQueue queue = builder.build();
            try {
                long start = System.nanoTime();
                for (int sent = 0; sent < messages; ) {
                    try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                        for (int i = 0; i < perTransaction; i++, sent++) {
                            queue.publish("order-placed", "customer-" + (sent & 1023), payload);
                        }
                        tx.commit(() -> { });
                    }
                }
                if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("handlers did not catch up within 5 minutes");
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                for (AtomicLong count : counts) {
                    if (count.get() != messages) {
                        throw new IllegalStateException("a handler processed " + count.get() + " of " + messages);
                    }
                }
                return new double[] {messages / seconds, seconds};
            } finally {
                queue.close();
            }
        }
    }
}
