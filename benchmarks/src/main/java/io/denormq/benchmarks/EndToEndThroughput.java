package io.denormq.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * Messages per second from the first publish until every handler has processed every message. One
 * publisher thread publishes {@code messages} messages of {@code payloadBytes} (WRITE_AHEAD, flush
 * none), one per transaction and ten per transaction, to a queue with 1 and with 4 no-op handlers
 * that count what they receive; the clock stops when every counter has reached {@code messages}. Each
 * run gets a fresh journal, deleted afterwards. Every combination runs, unreported, for at least
 * {@code warmupSeconds} first: the JIT's compiler threads took most of a core through the first
 * measured round with a single warm-up run (a scheduler trace, RESULTS.md), and a long-running
 * application does not pay that. The publisher's own rate (first publish to last commit) is printed
 * next to it, and the rate of empty transactions on the same thread as the baseline.
 *
 * <p>Arguments: {@code [messages=2000000] [payloadBytes=200] [rounds=2] [warmupSeconds=10]}; every
 * round runs every combination once, in the same order.
 */
public final class EndToEndThroughput {
    private static final int KEYS = 1024;
    private static final int[] MESSAGES_PER_TX = {1, 10};
    private static final int[] HANDLERS = {1, 4};

    private EndToEndThroughput() {
    }

    /**
     * @param args message count, payload bytes, rounds, warm-up seconds
     * @throws Exception if the journal cannot be written
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        double warmupSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        byte[] payload = PublishBenchmark.payload(payloadBytes);
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "customer-" + i;
        }
        System.out.printf("%nEnd-to-end throughput: %d-byte messages, WRITE_AHEAD, flush none, one publisher thread, "
                + "no-op counting handlers, %,d messages per run; %s%n", payloadBytes, messages, Machine.describe());
        long started = System.nanoTime();
        long warmupEnd = started + (long) (warmupSeconds * 1e9);
        do {
            for (int perTx : MESSAGES_PER_TX) {
                for (int handlers : HANDLERS) {
                    run(Math.max(messages / 4, 10_000), perTx, handlers, payload, keys); // not reported
                }
            }
        } while (System.nanoTime() < warmupEnd);
        System.out.printf("warm-up: %.1f s%n", (System.nanoTime() - started) / 1e9);
        System.out.printf("%n%-6s %-8s %-9s %16s %20s %10s%n", "round", "per tx", "handlers", "end-to-end msg/s",
                "publisher-only msg/s", "seconds");
        for (int round = 1; round <= rounds; round++) {
            for (int perTx : MESSAGES_PER_TX) {
                for (int handlers : HANDLERS) {
                    Result result = run(messages, perTx, handlers, payload, keys);
                    System.out.printf("%-6d %-8d %-9d %,16.0f %,20.0f %10.2f%n", round, perTx, handlers,
                            messages / result.endToEndSeconds, messages / result.publishSeconds,
                            result.endToEndSeconds);
                }
            }
        }
        double baselineSeconds = 0;
        for (int round = 0; round < 2; round++) { // the first round warms up
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    tx.commit(() -> { });
                }
            }
            baselineSeconds = (System.nanoTime() - start) / 1e9;
        }
        System.out.printf("%nbaseline: %,.0f empty transactions/s on the same thread, no queue%n",
                messages / baselineSeconds);
        System.out.printf("run took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private record Result(double publishSeconds, double endToEndSeconds) {
    }

    private static Result run(int messages, int perTransaction, int handlers, byte[] payload, String[] keys)
            throws Exception {
        AtomicLong[] counts = new AtomicLong[handlers];
        try (TempJournal journal = new TempJournal("e2e")) {
            DenormQueueBuilder builder = DenormQueue.builder(journal.dir()).durability(Durability.WRITE_AHEAD)
                    .flush(FlushPolicy.none());
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
                        for (int i = 0; i < perTransaction && sent < messages; i++, sent++) {
                            queue.publish(PublishBenchmark.TOPIC, keys[sent & (KEYS - 1)], payload);
                        }
                        tx.commit(() -> { });
                    }
                }
                long published = System.nanoTime();
                long deadline = published + Duration.ofMinutes(5).toNanos();
                for (AtomicLong count : counts) {
                    while (count.get() < messages) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("handlers did not catch up within 5 minutes: "
                                    + count.get() + " of " + messages);
                        }
                        LockSupport.parkNanos(50_000); // no spinning: it would take a core from the handlers
                    }
                }
                long processed = System.nanoTime();
                if (!queue.awaitProcessed(Duration.ofMinutes(1))) {
                    throw new IllegalStateException("the queue does not report every message processed");
                }
                for (AtomicLong count : counts) {
                    if (count.get() != messages) {
                        throw new IllegalStateException("a handler processed " + count.get() + " of " + messages);
                    }
                }
                return new Result((published - start) / 1e9, (processed - start) / 1e9);
            } finally {
                queue.close();
            }
        }
    }
}
