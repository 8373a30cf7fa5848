package io.denormq.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.IdleMode;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.HdrHistogram.Histogram;

/**
 * Time from a transaction's commit to its message's handler, at fixed offered rates. One publisher
 * thread runs one programmatic transaction per message (WRITE_AHEAD, flush none) and a single no-op
 * handler notes when each message reaches it. Every rate gets a fresh journal.
 *
 * <p>The publisher is paced by <em>intended</em> start times ({@code start + i / rate}), not by the
 * previous commit, so that a stall delays the following messages' schedule instead of hiding them
 * (coordinated omission). Two distributions come out of the same run:
 * <ul>
 *   <li><b>commit → handler</b>: from the return of {@code commit()} to the handler's invocation, what
 *       the dispatcher adds after a commit;</li>
 *   <li><b>intended start → handler</b>: from the time the transaction should have started, so it
 *       includes the transaction itself and any time the publisher fell behind the schedule.</li>
 * </ul>
 * The handler can run before {@code commit()} has returned to the publisher (the release record is
 * appended inside the commit); those messages count as 0 and their number is printed.
 *
 * <p>Each way the queue can wait for work ({@link IdleMode}) is a {@link Waiting} variant: the
 * default backoff and busy-spin. Busy-spin needs a core per dispatch thread (the reader and the
 * handler) besides the publisher's: on 2 cores it competes with the publisher.
 *
 * <p>In the default idle mode each rate is preceded by its floor ({@link HandOffFloor}): the same pacing
 * handing a timestamp to one thread that parks when idle, so that the table shows what denormq adds to
 * what a wake-up costs on the machine at that moment (ratios at p50 and p99).
 *
 * <p>The warm-up is long (5 s by default) because the reader's read method is recompiled by C2 several
 * times in the first seconds (each new record kind, each new branch of its batch map undoes the last
 * compilation), and every recompilation takes a core for 150-350 ms: with 1 s of warm-up they fell in
 * the measured seconds and their stalls were most of the p99 at 10 000/s.
 *
 * <p>Arguments: {@code [rates=10000,100000,500000] [seconds=5] [warmupSeconds=5] [payloadBytes=200]
 * [flush=none|every-commit]}. Under {@code every-commit} each commit waits for its flush and the reader
 * dispatches only flushed records, so commit → handler is what dispatch adds after a durable commit; only
 * the default idle mode is measured then (busy-spinning threads beside a flush per commit slow the flush).
 */
public final class EndToEndLatency {
    /** What the handlers and the reader do when there is nothing to read. */
    enum Waiting {
        /**
         * The default: handler threads yield, then park until the reader rings them; the reader spins,
         * yields, then parks until a commit rings it (parks end after 100 ms at the latest).
         */
        DEFAULT_BACKOFF("IdleMode.BACKOFF (reader and handlers spin/yield, then park until woken by the commit or "
                + "the reader; parks end after 100 ms at the latest)", IdleMode.BACKOFF),
        /** Reader and handler threads never park. */
        BUSY_SPIN("IdleMode.BUSY_SPIN (handlers: BusySpinWaitStrategy; reader: BusySpinIdleStrategy)", IdleMode.BUSY_SPIN);

        final String description;
        final IdleMode idleMode;

        Waiting(String description, IdleMode idleMode) {
            this.description = description;
            this.idleMode = idleMode;
        }

        DenormQueueBuilder configure(DenormQueueBuilder builder) {
            return builder.idleMode(idleMode);
        }
    }

    private static final List<Waiting> VARIANTS = List.of(Waiting.DEFAULT_BACKOFF, Waiting.BUSY_SPIN);
    private static final int COMPILING_TRANSACTIONS = 300_000;

    private EndToEndLatency() {
    }

    /**
     * @param args rates, seconds measured, warm-up seconds, payload bytes
     * @throws Exception if the journal cannot be written
     */
    public static void main(String[] args) throws Exception {
        List<Integer> rates = new ArrayList<>();
        for (String rate : (args.length > 0 ? args[0] : "10000,100000,500000").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        double warmupSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        int payloadBytes = Math.max(PayloadNumber.BYTES, args.length > 3 ? Integer.parseInt(args[3]) : 200);
        boolean everyCommit = args.length > 4 && args[4].equals("every-commit");
        if (args.length > 4 && !everyCommit && !args[4].equals("none")) {
            throw new IllegalArgumentException("flush must be none or every-commit, was " + args[4]);
        }
        FlushPolicy flush = everyCommit ? FlushPolicy.everyCommit() : FlushPolicy.none();
        List<Waiting> variants = everyCommit ? List.of(Waiting.DEFAULT_BACKOFF) : VARIANTS;

        System.out.printf("%nEnd-to-end latency: one %d-byte message per transaction, WRITE_AHEAD, flush %s, one "
                        + "paced publisher thread, one no-op handler; %.1f s measured after %.1f s of warm-up per rate; %s%n",
                payloadBytes, everyCommit ? "everyCommit()" : "none()", seconds, warmupSeconds, Machine.describe());
        System.out.println("idle strategies measured: " + variants.stream().map(v -> v.description).toList());
        long started = System.nanoTime();
        compileTheCommitPath(flush, payloadBytes);
        for (Waiting waiting : variants) {
            System.out.printf("%n%s%n", waiting.description);
            System.out.printf("%-10s %-34s %10s %10s %10s %10s %10s %s%n", "rate/s", "latency (µs)", "p50", "p90", "p99",
                    "p99.9", "max", "notes");
            PercentilePlot plot = new PercentilePlot("Commit → handler, " + waiting.idleMode + ", " + Machine.describe());
            for (int rate : rates) {
                Histogram floor = waiting == Waiting.DEFAULT_BACKOFF
                        ? HandOffFloor.measure(rate, (int) (rate * warmupSeconds), (int) (rate * seconds)) : null;
                Run run = run(waiting, flush, rate, (int) (rate * warmupSeconds), (int) (rate * seconds), payloadBytes);
                run.print(rate);
                plot.add(String.format(java.util.Locale.ROOT, "%,d tx/s", rate), run.commitToHandler());
                if (floor != null) {
                    Run.row("", "floor: hand-off to a parked thread", floor, String.format(java.util.Locale.ROOT,
                            "commit → handler ÷ floor: p50 %.1f×, p99 %.1f×", ratio(run.commitToHandler(), floor, 50),
                            ratio(run.commitToHandler(), floor, 99)));
                    plot.add(String.format(java.util.Locale.ROOT, "floor, %,d/s", rate), floor);
                }
            }
            plot.write("end-to-end-latency-" + waiting.idleMode.name().toLowerCase(java.util.Locale.ROOT)
                    + (everyCommit ? "-every-commit" : ""));
        }
        System.out.printf("%nrun took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Commits {@link #COMPILING_TRANSACTIONS} transactions back to back, to the measured handler,
     * so that the paced warm-up of the first rate does not start with the JIT's work still ahead of it (at
     * 1 000/s a few seconds are a few thousand commits, far fewer than C2 needs).
     */
    private static void compileTheCommitPath(FlushPolicy flush, int payloadBytes) throws Exception {
        long[] handled = new long[COMPILING_TRANSACTIONS];
        AtomicInteger count = new AtomicInteger();
        byte[] payload = PublishBenchmark.payload(payloadBytes);
        try (TempJournal journal = new TempJournal("e2e-latency-compile")) {
            DenormQueue queue = open(Waiting.DEFAULT_BACKOFF, journal, flush, handled, count);
            try {
                for (int i = 0; i < COMPILING_TRANSACTIONS; i++) {
                    commit(queue, payload, i);
                }
                if (!queue.awaitProcessed(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the handler did not catch up within 2 minutes: " + count.get());
                }
            } finally {
                queue.close();
            }
        }
        System.out.printf("before the first rate: %,d transactions back to back, for the JIT%n", COMPILING_TRANSACTIONS);
    }

    /**
     * A queue whose one no-op handler notes when message {@code i} (its payload's number) reached it in
     * {@code handled[i]} and counts it in {@code count}.
     */
    private static DenormQueue open(Waiting waiting, TempJournal journal, FlushPolicy flush, long[] handled,
                                    AtomicInteger count) {
        return waiting.configure(DenormQueue.builder(journal.dir()))
                .durability(Durability.WRITE_AHEAD).flush(flush)
                .handler("latency", message -> {
                    long now = System.nanoTime();
                    handled[(int) (long) message.payload(PayloadNumber.CODEC)] = now;
                    count.lazySet(count.get() + 1); // publishes the write above to the main thread
                })
                .build();
    }

    /** One transaction publishing message {@code i}. */
    private static void commit(DenormQueue queue, byte[] payload, int i) throws Exception {
        PayloadNumber.write(payload, i);
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload);
            tx.commit(() -> { });
        }
    }

    private static double ratio(Histogram measured, Histogram floor, double percentile) {
        return (double) measured.getValueAtPercentile(percentile) / Math.max(1, floor.getValueAtPercentile(percentile));
    }

    /** What one rate measured. */
    private record Run(Histogram commitToHandler, Histogram intendedToHandler, long handlerBeforeReturn,
                       double achievedRate, long maxBehindNanos) {
        void print(int rate) {
            String notes = String.format("achieved %,.0f/s; publisher at most %,.1f ms behind schedule; %,d handled "
                    + "before commit() returned", achievedRate, maxBehindNanos / 1e6, handlerBeforeReturn);
            row(String.format("%,d", rate), "commit → handler", commitToHandler, notes);
            row("", "intended start → handler", intendedToHandler, "");
        }

        private static void row(String rate, String name, Histogram histogram, String notes) {
            System.out.printf("%-10s %-34s %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %s%n", rate, name,
                    histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
                    histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                    histogram.getMaxValue() / 1e3, notes);
        }
    }

    private static Run run(Waiting waiting, FlushPolicy flush, int rate, int warmup, int measured, int payloadBytes) throws Exception {
        int total = warmup + measured;
        long[] committed = new long[total];
        long[] handled = new long[total];
        AtomicInteger count = new AtomicInteger();
        byte[] payload = PublishBenchmark.payload(payloadBytes);
        long start;
        long finished;
        long maxBehind = 0;
        try (TempJournal journal = new TempJournal("e2e-latency")) {
            DenormQueue queue = open(waiting, journal, flush, handled, count);
            try {
                start = System.nanoTime() + 1_000_000;
                maxBehind = Pacing.run(start, rate, total, warmup, i -> {
                    commit(queue, payload, i);
                    committed[i] = System.nanoTime();
                });
                finished = committed[total - 1];
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (count.get() < total) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the handler did not catch up within 2 minutes: " + count.get()
                                + " of " + total);
                    }
                    LockSupport.parkNanos(100_000);
                }
            } finally {
                queue.close();
            }
        }
        Histogram commitToHandler = new Histogram(3);
        Histogram intendedToHandler = new Histogram(3);
        long early = 0;
        for (int i = warmup; i < total; i++) {
            long fromCommit = handled[i] - committed[i];
            if (fromCommit < 0) {
                early++;
            }
            commitToHandler.recordValue(Math.max(0, fromCommit));
            intendedToHandler.recordValue(Math.max(0, handled[i] - Pacing.intendedStart(start, rate, i)));
        }
        double achieved = measured / ((finished - Pacing.intendedStart(start, rate, warmup)) / 1e9);
        return new Run(commitToHandler, intendedToHandler, early, achieved, maxBehind);
    }
}
