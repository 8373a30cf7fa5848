package io.denormq.kafka;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How the producer's I/O thread wakes the handler thread when a record it waits for completes. The
 * I/O thread unparks only while the handler actually waits, so that acknowledging thousands of
 * records costs no system calls.
 */
final class HandlerWakeup {
    /** The handler re-checks at least this often, whatever happens to wake-ups. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Thread handlerThread;
    private volatile boolean waiting;

    HandlerWakeup(Thread handlerThread) {
        this.handlerThread = handlerThread;
    }

    /** @return whether the caller is the handler thread this wakes */
    boolean isHandlerThread() {
        return Thread.currentThread() == handlerThread;
    }

    /**
     * Parks the handler thread until {@code record} is no longer pending.
     *
     * @throws InterruptedException if the handler thread is interrupted (the queue is stopping it)
     */
    void await(InFlightRecord record) throws InterruptedException {
        waiting = true;
        try {
            // waiting is set before the state is read, and the I/O thread sets the state before it
            // reads waiting: one of the two always sees the other
            while (record.state() == InFlightRecord.PENDING) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for Kafka to acknowledge sequence "
                            + record.sequence);
                }
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
            }
        } finally {
            waiting = false;
        }
    }

    @Override
    public String toString() {
        return "'" + handlerThread.getName() + "'";
    }

    /** Called by the producer's I/O thread after it set a record's outcome. */
    void signal() {
        if (waiting) {
            LockSupport.unpark(handlerThread);
        }
    }
}
