package io.denormq.journal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for {@link io.denormq.FlushPolicy#everyCommit()}: concurrent committers share one
 * flush (fsync of the journal files, which on Linux also writes back the mapped pages). A committer
 * takes a ticket after its append; it waits only until a flush that started after its ticket has
 * finished, and the first committer to find no flush running starts one for everybody waiting. Under
 * load one flush covers many commits; alone, a committer pays one flush, as before.
 */
public final class GroupFlush {
    private final Journal journal;
    private final AtomicLong appended = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flushedCondition = lock.newCondition();
    private long flushed;
    private boolean flushing;

    /**
     * @param journal the journal whose files are flushed
     */
    public GroupFlush(Journal journal) {
        this.journal = journal;
    }

    /**
     * @return a ticket for an append that has just returned
     */
    public long ticket() {
        return appended.incrementAndGet();
    }

    /**
     * Returns once a flush that started after {@code ticket} was taken has completed.
     *
     * @param ticket from {@link #ticket()}
     * @throws io.denormq.JournalException if the flush failed (every committer waiting on it sees it)
     */
    public void awaitFlushed(long ticket) {
        lock.lock();
        try {
            while (flushed < ticket) {
                if (flushing) {
                    flushedCondition.awaitUninterruptibly();
                    continue;
                }
                flushing = true;
                long target = appended.get(); // every ticket up to here belongs to an append already made
                RuntimeException failure = null;
                lock.unlock();
                try {
                    journal.forceAll();
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    lock.lock();
                    flushing = false;
                    flushedCondition.signalAll();
                }
                if (failure != null) {
                    throw failure;
                }
                flushed = Math.max(flushed, target);
            }
        } finally {
            lock.unlock();
        }
    }
}
