package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import io.denormq.internal.journal.Doorbell;

/**
 * How a handler thread waits for its ring: it yields a few times, then sleeps on a {@link Doorbell}
 * that the reader rings when it publishes (so a message reaching an idle handler runs within
 * microseconds, and an idle handler uses no CPU); or, in busy-spin mode, it spins. How many times it
 * yields is learned from how its recent waits ended ({@link BusyWaitBudget}), up to the given count.
 *
 * <p>While the ring stays empty it breaks off about every {@link #ATTENTION_NANOS} when the handler
 * {@linkplain HandlerRunner#needsAttention() has unacknowledged messages}, so that the event processor
 * calls {@link HandlerRunner#onTimeout} on the handler thread: failed messages are delivered again and
 * an asynchronous handler gets its hint without waiting for the next message.
 */
final class HandlerWaitStrategy implements WaitStrategy {
    /** How often an idle handler with messages in flight is called. */
    static final long ATTENTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SPINS_PER_CHECK = 1024;

    private final BusyWaitBudget budget;
    private final long sleepNanos;
    private final boolean busySpin;
    private final BooleanSupplier needsAttention;
    private final Doorbell doorbell = new Doorbell();
    /** The reader's, for a full ring: rung each time this thread comes back for more, having freed its last batch. */
    private final Doorbell readerRoom;
    /** Only the handler thread waits on this ring. */
    private long lastAttention = System.nanoTime();
    /** What the sleeping handler waits for (set before each sleep, so that the check allocates nothing). */
    private Sequence awaited;
    private long awaitedSequence;
    private SequenceBarrier awaitedBarrier;
    /**
     * Checked after the handler announced its sleep: a halt alerts the barrier and then rings, so an
     * alert that came after the loop's last look at the flag must keep the handler awake too, or it
     * sleeps out the whole sleep with its processor already told to stop.
     */
    private final BooleanSupplier nothingToDo = () -> awaited.get() < awaitedSequence && !awaitedBarrier.isAlerted();

    /**
     * @param yields         the most times to yield before sleeping
     * @param sleepNanos     the longest sleep while no message is in flight: a sleeping handler is woken by
     *                       the reader's publication and by a halt, so this only bounds a wake-up lost to a bug
     * @param busySpin       whether to spin instead of yielding and sleeping
     * @param needsAttention whether the handler should be called although the ring is empty
     * @param readerRoom     the doorbell the ring's reader sleeps on while the ring is full
     */
    HandlerWaitStrategy(int yields, long sleepNanos, boolean busySpin, BooleanSupplier needsAttention,
                        Doorbell readerRoom) {
        this.budget = new BusyWaitBudget(yields);
        this.sleepNanos = sleepNanos;
        this.busySpin = busySpin;
        this.needsAttention = needsAttention;
        this.readerRoom = readerRoom;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException, TimeoutException {
        // the event processor asks for more right after it stored (with a release store) how far it got:
        // the slots of the batch it finished are free now, which a reader waiting for room sleeps for
        readerRoom.ringAfterRelease();
        long available;
        int counter = busySpin ? 0 : budget.steps();
        int spins = 0;
        boolean waited = false;
        boolean slept = false;
        while ((available = dependentSequence.get()) < sequence) {
            waited = true;
            barrier.checkAlert();
            if (busySpin) {
                Thread.onSpinWait();
                if (++spins % SPINS_PER_CHECK == 0) {
                    attend();
                }
            } else if (counter > 0) {
                --counter;
                Thread.yield();
            } else {
                long sleep = attend();
                awaited = dependentSequence;
                awaitedSequence = sequence;
                awaitedBarrier = barrier;
                slept = true;
                budget.slept(doorbell.sleep(sleep, nothingToDo));
            }
        }
        if (waited && !slept && !busySpin) {
            budget.foundWhileBusy();
        }
        return available;
    }

    /**
     * Breaks off the wait (the processor then calls the handler's timeout) when the handler has
     * messages in flight and was last called {@link #ATTENTION_NANOS} ago or more.
     *
     * @return how long the handler may sleep: until its next call is due, or, with nothing in flight,
     *         the longest sleep (only the reader's publication or a halt has anything for it then)
     */
    private long attend() throws TimeoutException {
        if (!needsAttention.getAsBoolean()) {
            return sleepNanos;
        }
        long now = System.nanoTime();
        long untilDue = lastAttention + ATTENTION_NANOS - now;
        if (untilDue <= 0) {
            lastAttention = now;
            throw TimeoutException.INSTANCE;
        }
        return untilDue;
    }

    @Override
    public void signalAllWhenBlocking() {
        if (!busySpin) {
            doorbell.ringAfterRelease(); // the sequencer published with a release store
        }
    }
}
