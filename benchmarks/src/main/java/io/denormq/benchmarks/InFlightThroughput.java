package io.denormq.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.denormq.DenormQueue;
import io.denormq.Durability;

/**
 * Many publishing threads at once against a few: transactions per second with 8, 64, 256 and 1 024
 * virtual threads in flight (JDK 21 and later), next to 1, 2 and 4 platform threads, measured in
 * interleaved rounds on one queue, so that every figure has its baseline from the same seconds.
 *
 * <p>Each thread runs transactions in a loop for the run's duration: {@code
 * ProgrammaticTransactions.begin()}, one {@code publish} of a 64-byte message, {@code commit}
 * (WRITE_AHEAD, flush {@code none}, no database, one counting handler). The threads are started, wait
 * at a gate, are released together and stop beginning transactions after the run's duration; the
 * rate is their transactions over the time until the last of them ended. Per configuration it prints transactions/s in each round and their median,
 * and the ratio of that median to the median of one platform thread ("× 1 thread") and of the best
 * platform configuration ("× best few"): the goal is that many in flight keep the throughput
 * of a few. Each transaction makes two journal appends under the journal's one append lock, so the
 * lock is where many threads meet.
 *
 * <p>Arguments: {@code [seconds per run=1] [rounds=5] [platform threads=1,2,4] [virtual threads=8,64,256,1024]}.
 * On JDK 17 the virtual configurations are skipped (printed as such). At the end every message must
 * have been handled once.
 */
public final class InFlightThroughput {

    private InFlightThroughput() {
    }

    /**
     * @param args {@code [seconds per run] [rounds] [platform thread counts] [virtual thread counts]}
     * @throws Exception if a run fails, or if a message was lost or handled twice
     */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] platform = counts(args.length > 2 ? args[2] : "1,2,4");
        int[] virtual = counts(args.length > 3 ? args[3] : "8,64,256,1024");
        ThreadFactory virtualFactory = VirtualThreads.factoryOrNull();
        Map<String, Config> configs = new LinkedHashMap<>();
        for (int threads : platform) {
            configs.put("platform " + threads, new Config(threads, Thread::new));
        }
        if (virtualFactory == null) {
            System.out.printf("virtual threads: skipped, JDK %d has none (JDK 21 and later)%n",
                    Runtime.version().feature());
        } else {
            for (int threads : virtual) {
                configs.put("virtual " + threads, new Config(threads, virtualFactory));
            }
        }
        System.out.printf("%nMany publishing threads at once: one %d-byte message per transaction, WRITE_AHEAD, flush "
                        + "none, one handler; %.1f s per run, %d rounds, configurations interleaved; JDK %s; %s; "
                        + "load average %s%n", ThreadChurn.PAYLOAD.length, seconds, rounds, Runtime.version(), Machine.describe(),
                Machine.loadAverage());
        AtomicLong handled = new AtomicLong();
        long published = 0;
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try (TempJournal temp = new TempJournal("in-flight");
             DenormQueue queue = DenormQueue.builder(temp.dir()).durability(Durability.WRITE_AHEAD)
                     .handler("count", message -> handled.incrementAndGet()).build()) {
            // warm-up: every configuration once, unreported, so that the JIT has compiled both kinds' paths
            for (Config config : configs.values()) {
                published += run(queue, config, Math.min(seconds, 0.5)).transactions();
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Config> entry : configs.entrySet()) {
                    Result result = run(queue, entry.getValue(), seconds);
                    published += result.transactions();
                    rates.computeIfAbsent(entry.getKey(), key -> new ArrayList<>()).add(result.perSecond());
                }
                System.out.printf("round %d done, load average %s%n", round + 1, Machine.loadAverage());
            }
            if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                throw new IllegalStateException("the handler did not catch up within 5 minutes");
            }
        }
        double single = Medians.of(rates.get("platform " + platform[0]));
        double bestFew = 0;
        for (int threads : platform) {
            bestFew = Math.max(bestFew, Medians.of(rates.get("platform " + threads)));
        }
        System.out.printf("%n%-14s | %-48s | %12s | %11s | %11s%n", "threads", "tx/s per round", "median tx/s",
                "× " + platform[0] + " thread", "× best few");
        for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
            StringBuilder perRound = new StringBuilder();
            for (double rate : entry.getValue()) {
                perRound.append(String.format(Locale.ROOT, "%,9.0f ", rate));
            }
            double median = Medians.of(entry.getValue());
            System.out.printf(Locale.ROOT, "%-14s | %-48s | %,12.0f | %11.2f | %11.2f%n", entry.getKey(),
                    perRound.toString().trim(), median, median / single, median / bestFew);
        }
        System.out.printf("%,d transactions published, %,d messages handled%s; load average at the end %s%n",
                published, handled.get(), handled.get() == published ? "" : " (MISMATCH)", Machine.loadAverage());
        if (handled.get() != published) {
            throw new IllegalStateException(published + " messages published, " + handled.get() + " handled");
        }
    }

    private record Config(int threads, ThreadFactory factory) {
    }

    private record Result(long transactions, double perSecond) {
    }

    /**
     * Starts the configuration's threads, releases them together and lets them start transactions
     * for {@code seconds}; a transaction begun before the end is finished, and the rate is every
     * transaction over the time until the last thread ended.
     */
    private static Result run(DenormQueue queue, Config config, double seconds) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(config.threads());
        CountDownLatch go = new CountDownLatch(1);
        LongAdder total = new LongAdder();
        // set before the gate opens; every thread reads it before each transaction
        AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
        Thread[] threads = new Thread[config.threads()];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = config.factory().newThread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long mine = 0;
                while (System.nanoTime() < stopAt.get()) {
                    ThreadChurn.transaction(queue);
                    mine++;
                }
                total.add(mine);
            });
            threads[i].start();
        }
        ready.await();
        long start = System.nanoTime();
        long measuredEnd = start + (long) (seconds * 1e9);
        stopAt.set(measuredEnd);
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - start;
        return new Result(total.sum(), total.sum() * 1e9 / elapsed);
    }

    private static int[] counts(String list) {
        String[] parts = list.split(",");
        int[] counts = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            counts[i] = Integer.parseInt(parts[i].trim());
            if (counts[i] < 1) {
                throw new IllegalArgumentException("thread counts must be 1 or more: " + list);
            }
        }
        return counts;
    }
}
