package io.denormq.internal.journal;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Wakes one parked thread when there is work for it: a dispatch thread that found nothing to do parks
 * here, and whoever makes work for it (a commit appending a record, a reader publishing to a ring) rings.
 * Ringing costs one volatile read while the thread is awake, and an unpark only when it is parked, so
 * a message reaching an idle queue is handled in microseconds instead of after the rest of a park.
 *
 * <p>No wake-up is lost: the sleeper announces itself before it checks for work one last time, and a
 * ringer makes its work visible before it looks for a sleeper (both volatile, so one of the two sees
 * the other). A sleep still ends after its timeout, for waits that nothing rings (a full ring, a timer).
 */
public final class Doorbell {
    private volatile Thread sleeper;
    /** When a ringer last woke the sleeper (0: not since the sleep began). */
    private volatile long rungAt;
    /**
     * Set by {@link #wake()}: a wake-up the sleeper must not miss although it was not yet announced, which
     * a ring, finding no sleeper, would leave to the sleeper's own check of its work.
     */
    private volatile boolean woken;

    /**
     * Parks the calling thread (the only one that sleeps on this doorbell) for up to {@code nanos},
     * unless {@code nothingToDo} turns false once it is announced; returns early when rung.
     *
     * @param nanos       the longest sleep
     * @param nothingToDo checked after the announcement: whether there is still nothing to do
     * @return how long after the sleep began the work came: 0 if it was there before the thread parked
     *         (or a {@link #wake()} came since the last sleep), the time of the ring (not of the wake-up,
     *         which the scheduler delays), or the whole sleep if nothing rang
     */
    public long sleep(long nanos, BooleanSupplier nothingToDo) {
        long start = System.nanoTime();
        rungAt = 0;
        sleeper = Thread.currentThread();
        // the check below must not be read before the announcement is visible: ringers publish work
        // with release stores (the Disruptor's cursor), so only a full fence on both sides orders them
        VarHandle.fullFence();
        try {
            if (woken) {
                woken = false;
                return 0;
            }
            if (!nothingToDo.getAsBoolean()) {
                return 0;
            }
            LockSupport.parkNanos(this, nanos);
        } finally {
            sleeper = null;
        }
        long rung = rungAt;
        // a ringer that found this thread asleep in an earlier sleep may ring late: counts as at once
        return rung != 0 ? Math.max(0, rung - start) : System.nanoTime() - start;
    }

    /**
     * Wakes the sleeping thread, if one sleeps. Call it after making the work visible with a volatile
     * write; after a release store, call {@link #ringAfterRelease()}.
     */
    public void ring() {
        Thread parked = sleeper;
        if (parked != null) {
            rungAt = System.nanoTime(); // a clock read only when an unpark, far dearer, follows
            LockSupport.unpark(parked);
        }
    }

    /**
     * Wakes the sleeping thread, or, if it is not asleep, keeps its next sleep from starting: for a
     * request (to stop, to drain) that the sleeper's own check of its work does not look at. Call it
     * after setting what the sleeper should see when it wakes.
     */
    public void wake() {
        woken = true;
        ring();
    }

    /** {@link #ring()} for work published by a release store, which a later read may pass without a fence. */
    public void ringAfterRelease() {
        VarHandle.fullFence();
        ring();
    }
}
