package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.denormq.Acknowledgements;
import io.denormq.Message;

/**
 * The messages an {@link io.denormq.AsyncMessageHandler} accepted and has not yet acknowledged, in
 * delivery order, and the cursor they allow: the position below which every delivered message is
 * acknowledged.
 *
 * <p>Each entry keeps the position the handler had reached before the message was delivered (the
 * messages it passed over included: other partitions' keys, other handlers' redrives). When the
 * oldest entries are acknowledged they are dropped, and the cursor becomes the oldest remaining
 * entry's position before it, or, when none remains, the handler's last dispatched position. Entries
 * are in increasing sequence order, so an acknowledgement finds its entry by binary search.
 *
 * <p>Every change happens under one lock, and so does every cursor store, which keeps the stored
 * cursor increasing whichever thread acknowledges. After {@link #close()} nothing more is stored:
 * the checkpoint file may be unmapped then.
 */
final class InFlightMessages implements Acknowledgements {
    private static final byte IN_FLIGHT = 1;
    private static final byte ACKNOWLEDGED = 2;
    private static final byte FAILED = 3;
    /** The handler thread re-checks at least this often while it waits for room. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Stores the cursor; called under the lock, with increasing positions. */
    interface CursorStore {
        void store(long position, int acknowledgedMessages);
    }

    /** A failed message to deliver again, taken by the handler thread. */
    record Failure(Message copy, int failedAttempts, Throwable failure) {
    }

    private final String handler;
    private final int limit;
    /**
     * At the cap, delivery resumes once no more than this many are unacknowledged: an eighth of the cap
     * (at least one) below it. Resuming at the first acknowledgement would wake the handler thread for
     * every acknowledgement and have it deliver one message per wake-up.
     */
    private final int resumeAt;
    private final int mask;
    private final long[] sequences;
    private final long[] positionBefore;
    private final byte[] states;
    private final int[] failedAttempts;
    private final Message[] failedCopies;
    private final Throwable[] failures;
    private final CursorStore cursorStore;
    private final ReentrantLock lock = new ReentrantLock();
    /** Under the lock: the oldest entry and the next free one, as ever-increasing counters. */
    private long head;
    private long tail;
    private long storedPosition;
    /** Under the lock: the sequence of the last message registered, whether or not still held. */
    private long lastRegistered = Long.MIN_VALUE;
    private boolean closed;
    /** How many entries there are; read without the lock by the handler thread and by awaitProcessed. */
    private volatile int size;
    /** The handler thread's last position: written by it (after registering what it delivered), read under the lock. */
    private volatile long dispatched;
    /** Whether an entry may be FAILED: lets the handler thread skip the scan on its hot path. */
    private volatile boolean failuresPending;
    private volatile boolean waitingForRoom;
    private volatile Thread handlerThread;

    /**
     * @param handler     the handler's display name, for error messages
     * @param limit       the most entries at once ({@link io.denormq.AsyncMessageHandler#maxInFlight()})
     * @param cursor      the handler's stored cursor at start
     * @param cursorStore where the cursor goes
     */
    InFlightMessages(String handler, int limit, long cursor, CursorStore cursorStore) {
        this.handler = handler;
        this.limit = limit;
        this.resumeAt = limit - Math.max(1, limit / 8);
        int capacity = Integer.highestOneBit(Math.max(1, limit - 1)) << 1;
        this.mask = capacity - 1;
        this.sequences = new long[capacity];
        this.positionBefore = new long[capacity];
        this.states = new byte[capacity];
        this.failedAttempts = new int[capacity];
        this.failedCopies = new Message[capacity];
        this.failures = new Throwable[capacity];
        this.cursorStore = cursorStore;
        this.storedPosition = cursor;
        this.dispatched = cursor;
    }

    /** @return how many messages are delivered and not yet acknowledged */
    int size() {
        return size;
    }

    boolean isFull() {
        return size >= limit;
    }

    /** @return whether a handler that reached the cap may be given messages again */
    boolean hasRoomToResume() {
        return size <= resumeAt;
    }

    boolean failuresPending() {
        return failuresPending;
    }

    /**
     * Handler thread: the message of {@code sequence} is about to be delivered. Registered before
     * {@code onMessage}, since its acknowledgement may come from another thread before that returns.
     */
    void register(long sequence) {
        lock.lock();
        try {
            int slot = (int) (tail & mask);
            sequences[slot] = sequence;
            positionBefore[slot] = dispatched;
            states[slot] = IN_FLIGHT;
            failedAttempts[slot] = 0;
            lastRegistered = sequence;
            tail++;
            size = (int) (tail - head);
        } finally {
            lock.unlock();
        }
    }

    /** Handler thread: everything up to {@code position} was delivered (and registered) or passed over. */
    void dispatched(long position) {
        dispatched = position;
    }

    /** Stores the cursor as far as the acknowledgements allow (after messages were passed over). */
    void advance() {
        lock.lock();
        try {
            advanceLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void acknowledge(long sequence) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long entry = find(sequence);
            if (entry < 0) {
                requireDeliveredBefore(sequence, "acknowledge");
                return;
            }
            int slot = (int) (entry & mask);
            states[slot] = ACKNOWLEDGED;
            failedCopies[slot] = null;
            failures[slot] = null;
            if (entry == head) {
                advanceLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void acknowledgeUpTo(long sequence) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (sequence > lastRegistered) {
                throw new IllegalArgumentException("Handler '" + handler + "' cannot acknowledge up to sequence "
                        + Long.toHexString(sequence) + ": the last message delivered to it has sequence "
                        + (lastRegistered == Long.MIN_VALUE ? "none" : Long.toHexString(lastRegistered)));
            }
            for (long entry = head; entry < tail && sequences[(int) (entry & mask)] <= sequence; entry++) {
                int slot = (int) (entry & mask);
                states[slot] = ACKNOWLEDGED;
                failedCopies[slot] = null;
                failures[slot] = null;
            }
            advanceLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void fail(Message message, Throwable failure) {
        MessageCopy copy = MessageCopy.of(message, true); // before the lock: it copies the payload
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long entry = find(copy.sequence());
            if (entry < 0 || states[(int) (entry & mask)] == ACKNOWLEDGED) {
                throw new IllegalArgumentException("Handler '" + handler + "' cannot report message of sequence "
                        + Long.toHexString(copy.sequence()) + " as failed: it is not a message delivered to it and not "
                        + "yet acknowledged (acknowledged up to " + Long.toHexString(storedPosition) + ")");
            }
            int slot = (int) (entry & mask);
            if (states[slot] != FAILED) {
                failedAttempts[slot]++;
            }
            states[slot] = FAILED;
            failedCopies[slot] = copy;
            failures[slot] = failure;
            failuresPending = true;
        } finally {
            lock.unlock();
        }
        wakeHandler();
    }

    /**
     * Handler thread: takes the oldest failed message, marked in flight again, for its next attempt
     * (or its dead letter); null if none failed.
     */
    Failure takeFailure() {
        lock.lock();
        try {
            for (long entry = head; entry < tail; entry++) {
                int slot = (int) (entry & mask);
                if (states[slot] == FAILED) {
                    Failure taken = new Failure(failedCopies[slot], failedAttempts[slot], failures[slot]);
                    states[slot] = IN_FLIGHT;
                    failedCopies[slot] = null;
                    failures[slot] = null;
                    return taken;
                }
            }
            failuresPending = false;
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Handler thread: the next attempt of a failed message threw; it fails again, with one more
     * failed attempt.
     */
    void failedAgain(Message copy, Throwable failure) {
        lock.lock();
        try {
            long entry = find(copy.sequence());
            if (entry < 0 || closed) {
                return;
            }
            int slot = (int) (entry & mask);
            if (states[slot] == IN_FLIGHT) {
                failedAttempts[slot]++;
                states[slot] = FAILED;
                failedCopies[slot] = copy;
                failures[slot] = failure;
                failuresPending = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return whether the message of {@code sequence} is delivered and not yet acknowledged: the only
     *         kind that may be dead-lettered by the handler
     */
    boolean isUnacknowledged(long sequence) {
        lock.lock();
        try {
            long entry = find(sequence);
            return entry >= 0 && states[(int) (entry & mask)] != ACKNOWLEDGED && !closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Handler thread, at the cap: waits until acknowledgements made {@linkplain #hasRoomToResume() room
     * to resume}, a failure was reported or the messages were closed (at most about a millisecond).
     */
    void awaitChange() {
        handlerThread = Thread.currentThread();
        waitingForRoom = true;
        try {
            // waitingForRoom is set before size is read, and an acknowledging thread changes size before
            // it reads waitingForRoom: one of the two sees the other
            if (!hasRoomToResume() && !failuresPending) {
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
            }
        } finally {
            waitingForRoom = false;
        }
    }

    /** Stops storing the cursor for good: whatever is not acknowledged yet is delivered again after a restart. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        wakeHandler();
    }

    private void advanceLocked() {
        int acknowledged = 0;
        while (head < tail && states[(int) (head & mask)] == ACKNOWLEDGED) {
            head++;
            acknowledged++;
        }
        if (acknowledged > 0) {
            size = (int) (tail - head);
        }
        long position = head < tail ? positionBefore[(int) (head & mask)] : dispatched;
        if (!closed && (position > storedPosition || acknowledged > 0)) {
            if (position > storedPosition) {
                storedPosition = position;
            }
            cursorStore.store(storedPosition, acknowledged);
        }
        if (acknowledged > 0 && hasRoomToResume()) {
            wakeHandler();
        }
    }

    private void wakeHandler() {
        Thread waiting = handlerThread;
        if (waitingForRoom && waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /** @return the entry holding {@code sequence}, or -1: entries are in increasing sequence order */
    private long find(long sequence) {
        long low = head;
        long high = tail - 1;
        while (low <= high) {
            long middle = (low + high) >>> 1;
            long found = sequences[(int) (middle & mask)];
            if (found < sequence) {
                low = middle + 1;
            } else if (found > sequence) {
                high = middle - 1;
            } else {
                return middle;
            }
        }
        return -1;
    }

    /**
     * A sequence with no entry was acknowledged before (at or below the cursor, or dropped since)
     * unless it lies beyond what was delivered.
     */
    private void requireDeliveredBefore(long sequence, String what) {
        if (sequence > lastRegistered) {
            throw new IllegalArgumentException("Handler '" + handler + "' cannot " + what + " message of sequence "
                    + Long.toHexString(sequence) + ": no such message was delivered to it yet (delivered up to "
                    + (lastRegistered == Long.MIN_VALUE ? "none" : Long.toHexString(lastRegistered)) + ")");
        }
    }
}
