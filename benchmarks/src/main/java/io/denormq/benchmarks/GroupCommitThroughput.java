package io.denormq.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;

/**
 * Commits/s and commit latency under {@link FlushPolicy#everyCommit()} for 1, 4 and 16 concurrent
 * committers: denormq's group commit (committers share a flush) against one flush per commit (a raw
 * Chronicle append and {@code appender.sync()} per commit, each thread with its own appender, the
 * way a naive every-commit flush works). One 200-byte message per transaction, WRITE_AHEAD, no
 * database: the flush is the cost being shared. The baseline needs Chronicle's {@code SyncMode.SYNC}:
 * without it {@code appender.sync()} returns at once and flushes nothing.
 *
 * <p>Before anything is measured, both flushes run for {@value #WARM_UP_SECONDS} s at every committer
 * count, unmeasured: the JIT compiles both paths (denormq's is the longer) before either is timed.
 *
 * <p>Arguments: {@code [committers=1,4,16] [seconds=3] [rounds=1]}. With several rounds the two
 * flushes alternate (A B B A A B ...), so that a change in the machine's state (another process's
 * disk writes) weighs on both alike; the table sums the rounds, and the last column gives the median
 * and range of the per-round ratios.
 */
public final class GroupCommitThroughput {
    private static final byte[] PAYLOAD = PublishBenchmark.payload(200);
    /** The baseline's queue is laid out as denormq's journal is: one file a day, 64 MiB blocks. */
    private static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;
    private static final long BLOCK_SIZE = 64L << 20;
    private static final double WARM_UP_SECONDS = 1;

    private GroupCommitThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = Arrays.stream((args.length > 0 ? args[0] : "1,4,16").split(","))
                .mapToInt(count -> Integer.parseInt(count.trim())).toArray();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        System.out.printf("%nGroup commit: FlushPolicy.everyCommit(), one %d-byte message per transaction, %d round(s) "
                + "of %.1f s per flush; %s%n", PAYLOAD.length, rounds, seconds, Machine.describe());
        System.out.printf("%-11s %-38s %12s %14s %12s %12s  %s%n", "committers", "flush", "commits/s", "vs per-commit",
                "p50 µs", "p99 µs", "per-round ratio: median (range)");
        for (int committers : counts) {
            perCommitSync(committers, WARM_UP_SECONDS);
            groupCommit(committers, WARM_UP_SECONDS);
        }
        PercentilePlot plot = new PercentilePlot("Commit latency under FlushPolicy.everyCommit(), " + Machine.describe());
        for (int committers : counts) {
            Result perCommit = null;
            Result group = null;
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                Result a;
                Result b;
                if (round % 2 == 0) {
                    a = perCommitSync(committers, seconds);
                    b = groupCommit(committers, seconds);
                } else {
                    b = groupCommit(committers, seconds);
                    a = perCommitSync(committers, seconds);
                }
                ratios[round] = b.rate() / a.rate();
                perCommit = perCommit == null ? a : perCommit.plus(a);
                group = group == null ? b : group.plus(b);
            }
            Arrays.sort(ratios);
            String spread = rounds == 1 ? "" : String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", ratios[rounds / 2],
                    ratios[0], ratios[rounds - 1]);
            perCommit.print(committers, "one msync per commit (raw Chronicle)", perCommit.rate(), "");
            group.print(committers, "denormq group commit", perCommit.rate(), spread);
            plot.add(committers + " committer(s): one msync per commit", perCommit.latency());
            plot.add(committers + " committer(s): denormq group commit", group.latency());
        }
        plot.write("group-commit-latency");
    }

    private record Result(long commits, double seconds, Histogram latency) {
        double rate() {
            return commits / seconds;
        }

        Result plus(Result other) {
            Histogram sum = latency.copy();
            sum.add(other.latency);
            return new Result(commits + other.commits, seconds + other.seconds, sum);
        }

        void print(int committers, String name, double baseline, String spread) {
            System.out.printf(Locale.ROOT, "%-11d %-38s %,12.0f %14.2f %,12.1f %,12.1f  %s%n", committers, name, rate(),
                    rate() / baseline, latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    spread);
        }
    }

    /** The work one committer repeats; returns nothing, throws on failure. */
    @FunctionalInterface
    private interface Commit {
        void run() throws Exception;
    }

    private static Result measure(int committers, double seconds, java.util.function.IntFunction<Commit> perThread)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(committers);
        CountDownLatch go = new CountDownLatch(1);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long[] commits = new long[committers];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < committers; t++) {
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            histograms.add(histogram);
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    Commit commit = perThread.apply(index);
                    commit.run(); // warm the thread's appender
                    ready.countDown();
                    go.await();
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        commit.run();
                        histogram.recordValue(Math.min(System.nanoTime() - start, histogram.getHighestTrackableValue()));
                        commits[index]++;
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                    ready.countDown();
                }
            }, "committer-" + t);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure[0] != null) {
            throw new IllegalStateException("a committer failed", failure[0]);
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        histograms.forEach(all::add);
        long total = 0;
        for (long c : commits) {
            total += c;
        }
        return new Result(total, elapsed, all);
    }

    private static Result perCommitSync(int committers, double seconds) throws Exception {
        try (TempJournal temp = new TempJournal("per-commit-sync");
             SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(temp.dir()).rollCycle(ROLL_CYCLE)
                     .blockSize(BLOCK_SIZE)
                     .syncMode(SyncMode.SYNC) // without it appender.sync() does nothing
                     .build()) {
            return measure(committers, seconds, index -> {
                ExcerptAppender appender = queue.createAppender();
                return () -> {
                    try (DocumentContext context = appender.writingDocument()) {
                        context.wire().bytes().write(PAYLOAD);
                    }
                    appender.sync();
                };
            });
        }
    }

    private static Result groupCommit(int committers, double seconds) throws Exception {
        try (TempJournal temp = new TempJournal("group-commit");
             DenormQueue queue = DenormQueue.builder(temp.dir()).durability(Durability.WRITE_AHEAD)
                     .flush(FlushPolicy.everyCommit()).build()) {
            Result result = measure(committers, seconds, index -> () -> {
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish("orders", "k", PAYLOAD);
                    tx.commit(() -> { });
                }
            });
            return result;
        }
    }
}
