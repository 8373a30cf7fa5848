package io.denormq.internal.journal;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Orders the journal's flushes, which may run at the same time (a committer's, a reader's, the
 * periodic flusher's, retention's). Each flush covers what was appended between the previous flush's
 * start and its own; a record is durable once its flush and every flush started before it completed.
 * Group commit asks how many may run before a committer starts another ({@link #awaitDurable}): with
 * one, a committer that finds a flush running waits for it to end, and the first waiter not covered
 * by it starts the next, which covers every commit appended meanwhile.
 *
 * <p>A failed flush taints every flush started before its failure was registered (their ranges follow
 * the failed one's, which is due again): none of them makes anything durable, and a flush started
 * afterwards redoes the failed range. Thread-safe.
 */
final class FlushPipeline {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final ArrayDeque<Flush> inFlight = new ArrayDeque<>();
    private long nextNumber;
    /** Every record at or below this index is durable. */
    private volatile long durableUpTo = -1;
    /** The highest index a flush in flight (or about to start) can still make durable. */
    private long coveredInFlight = -1;
    /** Committers that were told to start a flush and have not registered it yet. */
    private int starting;
    /**
     * Flushes in flight that committers started: only these count against group commit's limit, so
     * that a reader's or the periodic flusher's flush never makes a committer wait for it and then
     * flush again.
     */
    private int committerFlushesInFlight;
    /** Committers waiting in {@link #awaitDurable} (written under the lock, read without it). */
    private volatile int waiting;

    /** One flush: what it covers, and how it ended. */
    static final class Flush {
        final long number;
        final long covered;
        final boolean byCommitter;
        boolean done;
        boolean failed;
        boolean tainted;
        boolean retired;

        private Flush(long number, long covered, boolean byCommitter) {
            this.number = number;
            this.covered = covered;
            this.byCommitter = byCommitter;
        }

        /** @return whether it made every record up to {@link #covered} durable */
        boolean madeDurable() {
            return !failed && !tainted;
        }
    }

    /** @return every record at or below this index is durable (-1 before the first flush) */
    long durableUpTo() {
        return durableUpTo;
    }

    /**
     * Registers a flush; called under the journal's append lock right after it took what the flush
     * covers, so that flushes are numbered in the order of what they cover.
     *
     * @param covered the index of the last record appended before it
     * @param starter whether a committer told to start one by {@link #awaitDurable} registers it
     * @return the flush, to pass to {@link #finished} and {@link #awaitRetired}
     */
    Flush start(long covered, boolean starter) {
        lock.lock();
        try {
            if (starter) {
                if (starting > 0) {
                    starting--;
                }
                committerFlushesInFlight++;
            }
            Flush flush = new Flush(nextNumber++, covered, starter);
            inFlight.addLast(flush);
            coveredInFlight = Math.max(coveredInFlight, covered);
            return flush;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that a flush ended. A failure must be registered under the journal's append lock, after
     * its ranges were made due again, so that every flush started afterwards redoes them.
     *
     * @param flush a flush from {@link #start}
     * @param ok    whether it succeeded
     */
    void finished(Flush flush, boolean ok) {
        lock.lock();
        try {
            flush.done = true;
            if (flush.byCommitter) {
                committerFlushesInFlight--;
            }
            if (!ok) {
                flush.failed = true;
                for (Flush later : inFlight) {
                    if (later.number > flush.number) {
                        later.tainted = true;
                    }
                }
                coveredInFlight = durableUpTo;
            }
            while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
                Flush first = inFlight.removeFirst();
                first.retired = true;
                if (first.madeDurable() && first.covered > durableUpTo) {
                    durableUpTo = first.covered;
                }
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every flush started before {@code flush} and {@code flush} itself ended.
     *
     * @param flush a finished flush
     */
    void awaitRetired(Flush flush) {
        lock.lock();
        try {
            while (!flush.retired) {
                progress.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the record at {@code index} is durable, or until the caller should start a flush:
     * no flush in flight covers it and fewer than {@code maxInFlight} started by committers run.
     *
     * @param index       a record's index (or a later one)
     * @param maxInFlight how many flushes started by committers may run at once
     * @return true once it is durable; false if the caller must start a flush (and then ask again)
     */
    boolean awaitDurable(long index, int maxInFlight) {
        if (durableUpTo >= index) {
            return true;
        }
        lock.lock();
        try {
            while (durableUpTo < index) {
                if (coveredInFlight < index && committerFlushesInFlight + starting < maxInFlight) {
                    starting++;
                    coveredInFlight = index; // the flush it starts covers at least this
                    return false;
                }
                waiting++;
                try {
                    progress.awaitUninterruptibly();
                } finally {
                    waiting--;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether a flush runs now, or a committer was told to start one */
    boolean flushing() {
        lock.lock();
        try {
            return starting > 0 || inFlight.stream().anyMatch(flush -> !flush.done);
        } finally {
            lock.unlock();
        }
    }

    /** @return whether other committers wait for a flush (a racy hint, read without the lock) */
    boolean committersWaiting() {
        return waiting > 0;
    }

    /** A committer told to start a flush could not (the journal failed before registering one). */
    void startAbandoned() {
        lock.lock();
        try {
            if (starting > 0) {
                starting--;
            }
            coveredInFlight = durableUpTo;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
