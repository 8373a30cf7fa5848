package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;

/**
 * The wait strategy of an asynchronous handler's ring: it waits as the plain handlers' do (spin,
 * yield, then sleep; or spin only), and while the ring stays empty it breaks off about every
 * {@link #ATTENTION_NANOS} when the handler {@linkplain HandlerRunner#needsAttention() has unacknowledged
 * messages}, so that the event processor calls {@link HandlerRunner#onTimeout} on the handler thread:
 * failed messages are delivered again and the handler gets its hint without waiting for the next
 * message. A handler with nothing in flight waits exactly as before.
 */
final class AttentiveWaitStrategy implements WaitStrategy {
    /** How often an idle handler with messages in flight is called. */
    static final long ATTENTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SPINS_PER_CHECK = 1024;

    private final int retries;
    private final long sleepNanos;
    private final boolean busySpin;
    private final BooleanSupplier needsAttention;
    /** Only the handler thread waits on this ring. */
    private long lastAttention = System.nanoTime();

    /**
     * @param retries        how many times to yield before sleeping
     * @param sleepNanos     how long each sleep lasts
     * @param busySpin       whether to spin instead of yielding and sleeping
     * @param needsAttention whether the handler should be called although the ring is empty
     */
    AttentiveWaitStrategy(int retries, long sleepNanos, boolean busySpin, BooleanSupplier needsAttention) {
        this.retries = retries;
        this.sleepNanos = sleepNanos;
        this.busySpin = busySpin;
        this.needsAttention = needsAttention;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException, TimeoutException {
        long available;
        int counter = retries;
        int spins = 0;
        while ((available = dependentSequence.get()) < sequence) {
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
                attend();
                LockSupport.parkNanos(sleepNanos);
            }
        }
        return available;
    }

    private void attend() throws TimeoutException {
        long now = System.nanoTime();
        if (now - lastAttention >= ATTENTION_NANOS && needsAttention.getAsBoolean()) {
            lastAttention = now;
            throw TimeoutException.INSTANCE;
        }
    }

    @Override
    public void signalAllWhenBlocking() {
        // the waiting handler sleeps for short times only: nothing to wake
    }
}
