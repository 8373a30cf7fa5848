package io.denormq.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * The floor under commit → handler on this machine, measured beside it: the same paced publisher hands
 * each step's time to one thread that waits as an idle denormq thread does (a hundred spins, then a park
 * until the publisher unparks it), and the time from the hand-over to that thread's reading it is
 * recorded for every step. No journal, no ring, one hop instead of two: what the scheduler, the
 * hypervisor and the clock cost a wake-up here. A stall of that thread delays every step handed over
 * meanwhile, and each counts (nothing is overwritten).
 */
final class HandOffFloor {
    private static final int SPINS = 100;

    private HandOffFloor() {
    }

    /**
     * @param rate     steps per second
     * @param warmup   steps not recorded
     * @param measured steps recorded
     * @return hand-over → read, per recorded step, in nanoseconds
     * @throws Exception if the waiting thread does not finish
     */
    static Histogram measure(int rate, int warmup, int measured) throws Exception {
        int total = warmup + measured;
        long[] handed = new long[total];
        long[] read = new long[total];
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean parked = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            int next = 0;
            while (next < total) {
                int available = published.get();
                if (next < available) {
                    long now = System.nanoTime();
                    while (next < available) {
                        read[next++] = now;
                    }
                    continue;
                }
                for (int spin = 0; spin < SPINS && published.get() == next; spin++) {
                    Thread.onSpinWait();
                }
                parked.set(true); // announced before the last look: a publisher that missed it sees parked
                if (published.get() == next) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                parked.set(false);
            }
        }, "hand-off-floor");
        reader.setDaemon(true);
        reader.start();
        long start = System.nanoTime() + 1_000_000;
        Pacing.run(start, rate, total, warmup, i -> {
            handed[i] = System.nanoTime();
            published.set(i + 1);
            if (parked.get()) {
                LockSupport.unpark(reader);
            }
        });
        reader.join(TimeUnit.MINUTES.toMillis(1));
        if (reader.isAlive()) {
            throw new IllegalStateException("the hand-off floor's reader did not finish within a minute");
        }
        Histogram histogram = new Histogram(3);
        for (int i = warmup; i < total; i++) {
            histogram.recordValue(Math.max(0, read[i] - handed[i]));
        }
        return histogram;
    }
}
