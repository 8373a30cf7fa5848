package io.denormq.benchmarks.modulith;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts deliveries and, for the numbers of a latency run, notes when each was delivered. Handlers
 * on any number of threads may report to it.
 */
public final class DeliveryClock {
    private final AtomicLong delivered = new AtomicLong();
    private final long firstTimed;
    private final long[] times;

    /** A clock that only counts. */
    public DeliveryClock() {
        this(0, 0);
    }

    /**
     * @param firstTimed the first number whose delivery time is noted
     * @param timed      how many consecutive numbers are timed
     */
    public DeliveryClock(long firstTimed, int timed) {
        this.firstTimed = firstTimed;
        this.times = new long[timed];
    }

    /** @param number the delivered message's or event's number */
    public void delivered(long number) {
        long now = System.nanoTime();
        long slot = number - firstTimed;
        if (slot >= 0 && slot < times.length) {
            times[(int) slot] = now;
        }
        delivered.incrementAndGet(); // publishes the time above to whoever reads the count
    }

    /** @return deliveries so far */
    public long count() {
        return delivered.get();
    }

    /**
     * @param number a timed number
     * @return when it was delivered ({@link System#nanoTime()}), 0 if not yet
     */
    public long deliveredAt(long number) {
        return times[(int) (number - firstTimed)];
    }
}
