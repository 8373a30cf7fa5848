package io.denormq.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * Thread per transaction: the time per transaction and the heap retained after GC as the number of
 * distinct threads that have published grows (1, 1 000, 100 000 and, if asked, 1 000 000), for
 * platform threads and, on JDK 21 and later, virtual threads; next to the same transaction handed
 * to one pooled thread, measured in the same run at every step.
 *
 * <p>One transaction: {@code ProgrammaticTransactions.begin()}, one {@code publish} of a 64-byte
 * message, {@code commit} (WRITE_AHEAD, flush {@code none}, no database, one counting handler). At
 * each step the harness first brings the number of distinct publishing threads up to the step's
 * figure (unmeasured), runs {@code System.gc()} three times and reads the heap used ("heap MiB"),
 * then measures three rounds of, in turn:
 * <ul>
 *   <li>a window of transactions handed to one pooled thread ({@code
 *       Executors.newSingleThreadExecutor}, up to 64 tasks queued; 20 000 by default);</li>
 *   <li>a window of new threads, each running one transaction and ending (up to 64 alive);</li>
 *   <li>as many new threads that end without doing anything: what starting and joining a thread
 *       costs without denormq.</li>
 * </ul>
 * Per transaction it prints the time spent inside the transaction, summed over the threads and
 * measured on the thread that runs it ("pooled tx", "new tx": on a new thread this includes
 * everything a thread's first transaction sets up), and the elapsed time of the window divided by
 * its transactions ("pool wall": with queueing the task and waiting for it; "new wall": with
 * starting and joining the thread; "empty thr": the same for a thread that does nothing).
 * "tx ratio" is new tx / pooled tx, the goal being 1.5 or less at every step; "added" is
 * (new wall − empty thr) / pool wall: what the transaction adds to a thread's life next to what
 * it costs on the pooled thread, hand-over included.
 *
 * <p>The threads of a window are new publishing threads too, so a new-thread window is kept small
 * next to the step: 300 threads or 2 % of the step, whichever is more (the first step's three
 * windows end at 901 threads, below the second step's 1 000). The pooled thread has published as
 * well: it is the one thread of the first step. Before the first step the pooled thread runs the
 * warm-up transactions and as many threads of the kind start and end without publishing, so that
 * the JIT has compiled both paths without any thread having published.
 *
 * <p>Virtual threads are created by reflection ({@code Thread.ofVirtual().factory()}): the code
 * compiles for Java 17, where they do not exist and this harness measures platform threads only.
 * Each kind runs on a fresh journal in turn; at the end every message must have been handled once.
 *
 * <p>Arguments: {@code [steps=1,1000,100000] [pooled window=20000] [warm-up=100000] [kinds=platform,virtual]
 * [in flight=64]}; with 1 in flight, one thread runs at a time, which shows what a thread's first
 * transaction costs without 64 threads sharing the cores.
 * {@code 1,1000,100000,1000000} is the full run (platform threads: several minutes on 2 cores).
 */
public final class ThreadChurn {
    static final byte[] PAYLOAD = PublishBenchmark.payload(64);
    /** Threads alive (or tasks queued) at once unless the fifth argument says otherwise. */
    private static final int DEFAULT_IN_FLIGHT = 64;
    private static final int ROUNDS = 3;
    /** The smallest new-thread window: 300 platform threads start and end in 0.1–0.3 s on 2 loaded cores. */
    private static final int MIN_THREAD_WINDOW = 300;

    private static int inFlight;

    private ThreadChurn() {
    }

    public static void main(String[] args) throws Exception {
        long[] steps = parseSteps(args.length > 0 ? args[0] : "1,1000,100000");
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        List<String> kinds = List.of((args.length > 3 ? args[3] : "platform,virtual").split(","));
        inFlight = args.length > 4 ? Integer.parseInt(args[4]) : DEFAULT_IN_FLIGHT;
        ThreadFactory virtual = VirtualThreads.factoryOrNull();
        System.out.printf("%nThread per transaction: one %d-byte message per transaction, WRITE_AHEAD, flush none, one "
                        + "handler; up to %d threads alive; pooled windows of %d transactions; %s; load average %s%n",
                PAYLOAD.length, inFlight, window, Machine.describe(), Machine.loadAverage());
        for (String kind : kinds) {
            ThreadFactory factory = switch (kind.trim()) {
                case "platform" -> Thread::new;
                case "virtual" -> virtual;
                default -> throw new IllegalArgumentException("kinds: platform, virtual; not " + kind);
            };
            if (factory == null) {
                System.out.printf("%nvirtual threads: skipped, JDK %d has none (JDK 21 and later)%n",
                        Runtime.version().feature());
                continue;
            }
            run(kind.trim(), factory, steps, window, warmUp);
        }
    }

    private static void run(String kind, ThreadFactory factory, long[] steps, int window, int warmUp) throws Exception {
        AtomicLong handled = new AtomicLong();
        ExecutorService pooled = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pooled-publisher");
            thread.setDaemon(true);
            return thread;
        });
        try (TempJournal temp = new TempJournal("thread-churn-" + kind);
             DenormQueue queue = DenormQueue.builder(temp.dir()).durability(Durability.WRITE_AHEAD)
                     .handler("count", message -> handled.incrementAndGet()).build()) {
            LongAdder inTransaction = new LongAdder();
            Runnable transaction = () -> {
                long start = System.nanoTime();
                transaction(queue);
                inTransaction.add(System.nanoTime() - start);
            };
            long published = onPooledThread(pooled, transaction, warmUp);
            onNewThreads(factory, () -> { }, warmUp); // thread start and join compiled; nothing published
            long threads = 1; // the pooled thread
            System.out.printf("%n%s threads (JDK %s); µs per transaction%n%15s %9s %7s | %10s %10s | %10s %10s "
                            + "%10s | %8s %8s%n", kind, Runtime.version(), "threads before", "heap MiB", "window",
                    "pooled tx", "pool wall", "new tx", "new wall", "empty thr", "tx ratio", "added");
            double firstHeap = -1;
            for (long step : steps) {
                if (step > threads) {
                    published += onNewThreads(factory, transaction, step - threads);
                    threads = step;
                }
                double heap = retainedHeap() / (1024.0 * 1024);
                if (firstHeap < 0) {
                    firstHeap = heap;
                }
                long before = threads;
                final int threadWindow = (int) Math.max(MIN_THREAD_WINDOW, step / 50);
                long[] pooledTimes = new long[2];
                long[] newThreadTimes = new long[2];
                long emptyThreadNanos = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    published += measure(inTransaction, pooledTimes, () -> onPooledThread(pooled, transaction, window));
                    published += measure(inTransaction, newThreadTimes,
                            () -> onNewThreads(factory, transaction, threadWindow));
                    threads += threadWindow;
                    long start = System.nanoTime();
                    onNewThreads(factory, () -> { }, threadWindow);
                    emptyThreadNanos += System.nanoTime() - start;
                }
                double pooledCount = (double) ROUNDS * window;
                double threadCount = (double) ROUNDS * threadWindow;
                double pooledTx = pooledTimes[0] / 1e3 / pooledCount;
                double pooledWall = pooledTimes[1] / 1e3 / pooledCount;
                double newTx = newThreadTimes[0] / 1e3 / threadCount;
                double newWall = newThreadTimes[1] / 1e3 / threadCount;
                double emptyWall = emptyThreadNanos / 1e3 / threadCount;
                System.out.printf(Locale.ROOT, "%,15d %9.1f %,7d | %10.2f %10.2f | %10.2f %10.2f %10.2f | %8.2f %8.2f%n",
                        before, heap, ROUNDS * threadWindow, pooledTx, pooledWall, newTx, newWall, emptyWall,
                        newTx / pooledTx, (newWall - emptyWall) / pooledWall);
            }
            if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                throw new IllegalStateException("the handler did not catch up within 5 minutes");
            }
            System.out.printf(Locale.ROOT, "heap retained after GC grew by %.1f MiB from the first step to the last; "
                            + "%,d distinct threads published %,d transactions, %,d messages handled%s%n",
                    retainedHeap() / (1024.0 * 1024) - firstHeap, threads, published, handled.get(),
                    handled.get() == published ? "" : " (MISMATCH)");
            if (handled.get() != published) {
                throw new IllegalStateException(published + " messages published, " + handled.get() + " handled");
            }
        } finally {
            pooled.shutdownNow();
        }
    }

    /** One transaction publishing one 64-byte message: the unit both thread harnesses repeat. */
    static void transaction(DenormQueue queue) {
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", PAYLOAD);
            tx.commit(() -> { });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A window of transactions that returns how many it ran. */
    @FunctionalInterface
    private interface Window {
        long run() throws Exception;
    }

    /**
     * Runs a window and adds to {@code totals} the nanoseconds spent inside its transactions (summed
     * over the threads) and the elapsed nanoseconds of the whole window.
     */
    private static long measure(LongAdder inTransaction, long[] totals, Window window) throws Exception {
        inTransaction.reset();
        long start = System.nanoTime();
        long count = window.run();
        totals[1] += System.nanoTime() - start;
        totals[0] += inTransaction.sum();
        return count;
    }

    /** {@code count} tasks handed to the one pooled thread, at most the fifth argument queued. */
    private static long onPooledThread(ExecutorService pooled, Runnable task, long count) throws Exception {
        ArrayDeque<Future<?>> queued = new ArrayDeque<>(inFlight);
        for (long i = 0; i < count; i++) {
            if (queued.size() == inFlight) {
                queued.poll().get();
            }
            queued.add(pooled.submit(task));
        }
        for (Future<?> future : queued) {
            future.get();
        }
        return count;
    }

    /** {@code count} new threads, each running {@code task} once, at most the fifth argument alive. */
    private static long onNewThreads(ThreadFactory factory, Runnable task, long count) throws InterruptedException {
        Thread[] alive = new Thread[inFlight];
        for (long i = 0; i < count; i++) {
            int slot = (int) (i % inFlight);
            if (alive[slot] != null) {
                alive[slot].join();
            }
            alive[slot] = factory.newThread(task);
            alive[slot].start();
        }
        for (Thread thread : alive) {
            if (thread != null) {
                thread.join();
            }
        }
        return count;
    }

    private static long[] parseSteps(String steps) {
        List<Long> parsed = new ArrayList<>();
        long previous = 0;
        for (String step : steps.split(",")) {
            long value = Long.parseLong(step.trim());
            if (value <= previous) {
                throw new IllegalArgumentException("steps must be 1 or more and increasing: " + steps);
            }
            parsed.add(value);
            previous = value;
        }
        return parsed.stream().mapToLong(Long::longValue).toArray();
    }

    private static long retainedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
