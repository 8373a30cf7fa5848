package io.denormq.internal.dispatch;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.denormq.internal.journal.Doorbell;
import io.denormq.internal.journal.Journal;

/**
 * How a reader with nothing to read waits: it spins, then yields, then sleeps on a {@link Doorbell}
 * that the journal rings on appends and on every flush that makes more of it durable, so a commit
 * reaching an idle queue is read within microseconds while an idle reader uses no CPU. A reader that
 * reads only durable records ({@link Journal#readsOnlyDurable()}) sleeps at once: only a flush, which
 * rings, gives it more to read.
 *
 * <p>Before each read attempt while idle, the reader notes the journal's {@link Journal#progressMark()};
 * it sleeps only if the mark is still the same after announcing itself on the doorbell, so a record
 * appended between a failed read and the sleep wakes it at once.
 */
final class ReaderIdle {
    private static final int SPINS = 100;
    private static final int YIELDS = 10;

    private final Journal journal;
    private final long maxSleepNanos;
    private final boolean busySpin;
    private final Doorbell doorbell = new Doorbell();
    private final BooleanSupplier nothingNew = this::nothingNew;
    private int idles;
    private long markBeforeRead;

    /**
     * @param journal       the journal read
     * @param maxSleepNanos the longest sleep, for waits the journal does not ring (a full ring, timers)
     * @param busySpin      whether to spin instead of yielding and sleeping ({@link io.denormq.IdleMode#BUSY_SPIN})
     */
    ReaderIdle(Journal journal, long maxSleepNanos, boolean busySpin) {
        this.journal = journal;
        this.maxSleepNanos = maxSleepNanos;
        this.busySpin = busySpin;
    }

    /** @return the doorbell the journal must ring for this reader */
    Doorbell doorbell() {
        return doorbell;
    }

    /** Called before every read attempt: while idle, notes what the journal looked like before it. */
    void beforeRead() {
        if (idles > 0) {
            markBeforeRead = journal.progressMark();
        }
    }

    /** Waits for the journal to move on (returns at once when it has since the last {@link #beforeRead()}). */
    void idle() {
        backOff(true);
    }

    /**
     * Waits for room in the ring: the handler does not ring, so after spinning and yielding this
     * sleeps for the longest sleep.
     */
    void waitForRoom() {
        backOff(false);
    }

    private void backOff(boolean rungByTheJournal) {
        idles++;
        if (rungByTheJournal && !busySpin && journal.readsOnlyDurable()) {
            // what comes next is made readable by a flush, which takes far longer than a spin and rings;
            // a reader spinning meanwhile slows that flush down (see Journal.append)
            doorbell.sleep(maxSleepNanos, nothingNew);
        } else if (busySpin || idles <= SPINS) {
            Thread.onSpinWait();
        } else if (idles <= SPINS + YIELDS) {
            Thread.yield();
        } else if (rungByTheJournal) {
            doorbell.sleep(maxSleepNanos, nothingNew);
        } else {
            LockSupport.parkNanos(this, maxSleepNanos);
        }
    }

    private boolean nothingNew() {
        return journal.progressMark() == markBeforeRead;
    }

    /** Called after a read found something: the next wait starts spinning again. */
    void reset() {
        idles = 0;
    }
}
