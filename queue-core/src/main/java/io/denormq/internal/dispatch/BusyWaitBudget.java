package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;

/**
 * How many busy steps (spins, yields) an idle dispatch thread takes before it sleeps, learned from how
 * its recent waits ended. Busy steps pay off when work arrives within them: the thread is there at once,
 * and whoever made the work need not wake it. They cost when it does not: on a machine with fewer cores
 * than busy threads every step is taken from the thread producing the work (measured on 2 cores: at
 * 10,000 commits/s, 100 yields before each park raised commit → handler from 12 to 33 µs p50, and
 * its p90 from 48 µs to 0.4-2 ms), while with many dispatch threads and back-to-back batches, parking at
 * once cost 15-50 % of the throughput in wake-ups.
 *
 * <p>So: a wait that work ended during the busy steps, or soon after the thread went to sleep, grows
 * the budget (doubling, up to the maximum); work that came later than the busy steps would have lasted
 * halves it, down to sleeping at once. One thread uses an instance; not thread-safe.
 */
final class BusyWaitBudget {
    /**
     * Work that came within this of the sleep could have been caught by the busy steps (100 spins and 10 yields take
     * about this long on the 2-core machines measured).
     */
    static final long SHORT_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final int max;
    private int steps;

    /** @param max the most busy steps before a sleep: the budget starts there */
    BusyWaitBudget(int max) {
        this.max = max;
        this.steps = max;
    }

    /** @return how many busy steps the next wait may take before it sleeps */
    int steps() {
        return steps;
    }

    /** The wait ended during its busy steps. */
    void foundWhileBusy() {
        steps = Math.min(max, steps * 2 + 1);
    }

    /**
     * The wait slept, and its work came this long after the sleep began (when the thread was rung, not
     * when the scheduler ran it: waking a parked thread takes tens of microseconds in a VM, which no
     * spinning would have saved).
     *
     * @param workCameAfterNanos from going to sleep to the ring (or to the end of an unrung sleep)
     */
    void slept(long workCameAfterNanos) {
        if (workCameAfterNanos < SHORT_SLEEP_NANOS) {
            foundWhileBusy();
        } else {
            steps >>= 1;
        }
    }
}
