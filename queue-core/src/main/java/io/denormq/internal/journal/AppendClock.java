package io.denormq.internal.journal;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The journal's clock as Chronicle Queue sees it: the configured clock, except that while the
 * appending thread holds a time {@linkplain #pin() pinned} it answers that time. An append reads
 * the clock once, and the day it checked free space for is the day Chronicle writes into: both
 * would otherwise read the clock themselves (about 28 ns each on the machines measured, a tenth of
 * an append), and around midnight could disagree.
 *
 * <p>Only the pinning thread sees the pinned time; it pins and unpins under the journal's append
 * lock. Other threads (readers, retention) always read the configured clock. The fields need no
 * fence: a thread reads back only what it wrote itself, or a value naming another thread.
 */
final class AppendClock implements TimeProvider {
    private final TimeProvider clock;
    private Thread pinnedBy;
    private long pinnedMillis;

    /** @param clock the configured clock */
    AppendClock(TimeProvider clock) {
        this.clock = clock;
    }

    /** Reads the clock once and answers that time to the calling thread until {@link #unpin()}. */
    void pin() {
        pin(clock.currentTimeMillis());
    }

    /**
     * Answers {@code millis}, a reading of the same clock taken a moment ago, to the calling thread
     * until {@link #unpin()}: the record's own timestamp, so that stamping and appending a record
     * read the clock once.
     *
     * @param millis a recent reading of the configured clock
     */
    void pin(long millis) {
        pinnedMillis = millis;
        pinnedBy = Thread.currentThread();
    }

    /** The calling thread reads the configured clock again. */
    void unpin() {
        pinnedBy = null;
    }

    @Override
    public long currentTimeMillis() {
        return pinnedBy == Thread.currentThread() ? pinnedMillis : clock.currentTimeMillis();
    }
}
