package io.denormq.internal.dispatch;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.denormq.internal.journal.Doorbell;
import io.denormq.internal.journal.Journal;

/**
 * How a reader with nothing to read waits: it spins, then yields, then sleeps on a {@link Doorbell}
 * that the journal rings on appends and on every flush that makes more of it durable, so a commit
 * reaching an idle queue is read within microseconds while an idle reader uses no CPU. How many of
 * those busy steps it takes is learned from how its recent waits ended ({@link BusyWaitBudget}): none
 * when commits come further apart than the steps last. A reader that
 * reads only durable records ({@link Journal#readsOnlyDurable()}) sleeps at once: only a flush, which
 * rings, gives it more to read.
 *
 * <p>Such a reader, when its last wake-up found records, does not ask to be rung: it looks again after
 * a short poll interval. Under {@link io.denormq.FlushPolicy#everyCommit()} every commit is a flush, and
 * a ring per flush would wake the reader (and, through it, the handler) once per commit: an unpark in
 * the committer's path and a thread on the other core during the next flush, whose TLB shootdown then
 * waits for it. Polling while commits keep coming lets one wake-up dispatch every commit of the interval;
 * a wake-up that finds nothing puts the reader back to sleeping until rung, so a quiet queue's first
 * commit is still dispatched at once.
 *
 * <p>A reader whose recent waits kept ending within its first few spins is following commits that come
 * back to back; it then stops chasing them. Reading each record right after it is appended costs the
 * committer more than the read costs the reader: every record's cache lines move to the reader's core
 * and back when the committer appends the next one beside them (measured on 2 vCPUs with a plain
 * Chronicle appender: 140 ns per append alone, 590-790 ns with a tailer reading right behind it, 150
 * ns with one that reads every 60-130 µs). So while commits keep coming, the reader parks for a short,
 * unrung interval after each read that caught up, and reads what came meanwhile in one go: commits pay
 * neither the shared cache lines nor a wake-up, at the price of the interval in dispatch latency (20 µs
 * asked; 60-130 µs on those machines, where a short park lasts that long). The first interval that
 * finds nothing ends it: sparse commits are chased again and a quiet queue's first commit still wakes
 * the reader at once.
 *
 * <p>Before each read attempt while idle, the reader notes the journal's {@link Journal#progressMark()};
 * it sleeps only if the mark is still the same after announcing itself on the doorbell, so a record
 * appended between a failed read and the sleep wakes it at once.
 */
final class ReaderIdle {
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    /** Consecutive waits ended within {@link #DENSE_WITHIN_STEPS} that make commits count as back to back. */
    private static final int DENSE_AFTER_BUSY_FINDS = 8;
    /** Busy steps (a spin and a read attempt each, about 0.1-0.2 µs) within which a record found is "at once". */
    private static final int DENSE_WITHIN_STEPS = 20;
    /** How long a reader following back-to-back commits parks before it reads again. */
    private static final long BATCH_POLL_NANOS = 20_000;

    private final Journal journal;
    private final long roomSleepNanos;
    private final long idleSleepNanos;
    private final long durablePollNanos;
    private final boolean busySpin;
    private final Doorbell doorbell = new Doorbell();
    /** Rung by the handler thread each time it has finished a batch of the ring, freeing its slots. */
    private final Doorbell room = new Doorbell();
    private final BooleanSupplier nothingNew = this::nothingNew;
    private int idles;
    private final BusyWaitBudget budget = new BusyWaitBudget(SPINS + YIELDS);
    private long markBeforeRead;
    /**
     * Whether the reader slept (or polled) since its last successful read; at first as if it had. A reader
     * of durable records that has not polls instead of sleeping, and a wait that ends without a sleep
     * grows the busy budget.
     */
    private boolean sleptSinceRead = true;
    /** Consecutive waits that records ended within the reader's first few busy steps. */
    private int busyFinds;
    /** Whether the reader's last wait was a batch poll (a short, unrung park). */
    private boolean polledSinceRead;

    /**
     * @param journal        the journal read
     * @param roomSleepNanos the longest sleep while the ring is full: the handler thread rings when it frees
     *                       slots, so this only bounds a wake-up lost to a bug
     * @param idleSleepNanos the longest sleep while the journal has nothing new: the journal rings, and so
     *                       does {@link #wake()}, so this only sets how often an idle reader looks at the
     *                       clock (a day left without its end marker); every wake-up costs both cores CPU
     * @param durablePollNanos how long a reader of durable records that found records on its last wake-up
     *                       waits, unrung, before it looks again (0: it asks to be rung like any other)
     * @param busySpin       whether to spin instead of yielding and sleeping ({@link io.denormq.IdleMode#BUSY_SPIN})
     */
    ReaderIdle(Journal journal, long roomSleepNanos, long idleSleepNanos, long durablePollNanos, boolean busySpin) {
        this.journal = journal;
        this.roomSleepNanos = roomSleepNanos;
        this.idleSleepNanos = idleSleepNanos;
        this.durablePollNanos = durablePollNanos;
        this.busySpin = busySpin;
    }

    /** @return the doorbell the journal must ring for this reader */
    Doorbell doorbell() {
        return doorbell;
    }

    /** @return the doorbell the handler thread must ring when it frees slots of the ring */
    Doorbell roomDoorbell() {
        return room;
    }

    /** Called before every read attempt: while idle, notes what the journal looked like before it. */
    void beforeRead() {
        if (idles > 0) {
            markBeforeRead = journal.progressMark();
        }
    }

    /** Waits for the journal to move on (returns at once when it has since the last {@link #beforeRead()}). */
    void idle() {
        backOff(idleSleepNanos);
    }

    /**
     * {@link #idle()} for a reader that must act by itself after {@code nanos} (flush the record it
     * waits for, if no committer did): sleeps at most that long.
     *
     * @param nanos the longest wait
     */
    void idleAtMost(long nanos) {
        backOff(Math.max(1, Math.min(nanos, idleSleepNanos)));
    }

    /**
     * Waits for room in the ring: spins, then sleeps until the handler thread, finishing a batch, rings
     * {@link #roomDoorbell()} (or at most the room sleep time). No yields: the handler has at least three
     * quarters of the ring to work through, far longer than a wake-up takes, and each yield is a system
     * call while the handler and the publishers need the cores.
     *
     * @param roomShort checked after the sleeper is announced: whether there is still too little room
     */
    void waitForRoom(BooleanSupplier roomShort) {
        idles++;
        if (!spunOrYielded(SPINS)) {
            room.sleep(roomSleepNanos, roomShort);
        }
    }

    /**
     * Wakes the reader if it sleeps (for records or for room), or keeps its next sleep from starting
     * ({@link Doorbell#wake()}: a stop that came after the reader last looked at its flags finds no
     * sleeper to unpark): to stop it. Call it after setting what the reader should see when it wakes.
     */
    void wake() {
        doorbell.wake();
        room.wake();
    }

    private void backOff(long sleepNanos) {
        idles++;
        if (readsInBatches() && idles == 1) {
            polledSinceRead = true;
            sleptSinceRead = true;
            LockSupport.parkNanos(this, Math.min(BATCH_POLL_NANOS, sleepNanos)); // unrung: no wake-up for committers
            return;
        }
        if (polledSinceRead) {
            busyFinds = 0; // an interval without commits: chase them again
        }
        // a reader of durable records only sleeps at once: what comes next is made readable by a flush,
        // which takes far longer than a spin and rings; a reader spinning meanwhile slows that flush down
        // (see Journal.append)
        boolean sleepAtOnce = !busySpin && journal.readsOnlyDurable();
        if (sleepAtOnce && !sleptSinceRead && durablePollNanos > 0) {
            sleptSinceRead = true;
            LockSupport.parkNanos(this, Math.min(sleepNanos, durablePollNanos)); // the journal does not ring it
            return;
        }
        if (sleepAtOnce || !spunOrYielded(budget.steps())) {
            sleptSinceRead = true;
            long workCameAfter = doorbell.sleep(sleepNanos, nothingNew);
            if (!sleepAtOnce) {
                budget.slept(workCameAfter);
            }
        }
    }

    /**
     * The first steps of every wait (after counting it): spin, then yield; false once {@code steps} are
     * used up.
     */
    private boolean spunOrYielded(int steps) {
        if (busySpin) {
            Thread.onSpinWait();
            return true;
        }
        if (idles > steps) {
            return false;
        }
        if (idles <= SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return true;
    }

    private boolean nothingNew() {
        return journal.progressMark() == markBeforeRead;
    }

    /**
     * @return whether the reader follows back-to-back commits: after a read that caught up it parks for
     *         {@link #BATCH_POLL_NANOS} instead of chasing the next commit (never with {@code busySpin})
     */
    boolean readsInBatches() {
        return !busySpin && busyFinds >= DENSE_AFTER_BUSY_FINDS;
    }

    /**
     * Called after a read found something: the next wait starts spinning again, or, while commits come
     * back to back, with the short park of {@link #readsInBatches()}.
     */
    void reset() {
        if (idles > 0 && !sleptSinceRead) {
            budget.foundWhileBusy();
            busyFinds = idles <= DENSE_WITHIN_STEPS ? busyFinds + 1 : 0;
        } else if (idles > 0 && !polledSinceRead) {
            busyFinds = 0;
        }
        polledSinceRead = false;
        sleptSinceRead = false;
        idles = 0;
    }
}
