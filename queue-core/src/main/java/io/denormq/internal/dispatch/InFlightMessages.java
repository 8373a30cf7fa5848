package io.denormq.internal.dispatch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Every acknowledgement happens under one lock, and so does every cursor store, which keeps the
 * stored cursor increasing whichever thread acknowledges. Registering takes no lock: the handler
 * thread is the one writer of the tail, and fills an entry before it publishes the tail past it, so
 * an acknowledging thread (say a Kafka client's I/O thread, acknowledging while the next messages
 * are delivered) never waits for the handler thread, nor it for them. After {@link #close()}
 * nothing more is stored: the checkpoint file may be unmapped then.
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
    /** The oldest entry, as an ever-increasing counter: written under the lock, read by any thread. */
    private volatile long head;
    /**
     * The next free entry, as an ever-increasing counter: written by the handler thread alone, after
     * it filled the entry before it (release), read by any thread.
     */
    private volatile long tail;
    private long storedPosition;
    /**
     * The sequence of the last message registered, whether or not still held: written by the handler
     * thread before it publishes the tail, read by others after they read the tail.
     */
    private long lastRegistered = Long.MIN_VALUE;
    private boolean closed;
    /** The handler thread's last position: written by it (after registering what it delivered), read under the lock. */
    private volatile long dispatched;
    /** Whether an entry may be FAILED: lets the handler thread skip the scan on its hot path. */
    private volatile boolean failuresPending;
    private volatile boolean waitingForRoom;
    private volatile Thread handlerThread;

    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(InFlightMessages.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
        long registered = tail; // first: head never passes the tail read before it
        return (int) Math.max(0, registered - head);
    }

    boolean isFull() {
        return size() >= limit;
    }

    /** @return whether a handler that reached the cap may be given messages again */
    boolean hasRoomToResume() {
        return size() <= resumeAt;
    }

    boolean failuresPending() {
        return failuresPending;
    }

    /**
     * Handler thread, below the cap: the message of {@code sequence} is about to be delivered.
     * Registered before {@code onMessage}, since its acknowledgement may come from another thread
     * before that returns. The entry's slot is free: the cap is below the capacity, and the entry that
     * last used the slot was dropped. Publishing the tail after the entry's fields is what makes them
     * visible to an acknowledging thread, which reads the tail first.
     */
    void register(long sequence) {
        long entry = tail;
        int slot = (int) (entry & mask);
        sequences[slot] = sequence;
        positionBefore[slot] = dispatched;
        states[slot] = IN_FLIGHT;
        failedAttempts[slot] = 0;
        lastRegistered = sequence;
        TAIL.setRelease(this, entry + 1);
    }

    /** Handler thread: everything up to {@code position} was delivered (and registered) or passed over. */
    void dispatched(long position) {
        dispatched = position;
    }

    /**
     * Handler thread, at the end of a dispatch batch: stores the cursor the messages passed over allow
     * when nothing is in flight. While entries remain it takes no lock: the cursor then stops before
     * the oldest entry whatever was passed over, and the acknowledgement that drops the last entry
     * stores the handler thread's last position (it reads the position after it moved the head, and
     * this thread wrote the position before it read the head).
     */
    void batchDispatched() {
        if (size() == 0) {
            advance();
        }
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
            long oldest = head;
            // acknowledgements mostly come in delivery order: the oldest entry first, no search
            long entry = oldest < tail && sequences[(int) (oldest & mask)] == sequence ? oldest : find(sequence);
            if (entry < 0) {
                requireDeliveredBefore(sequence, "acknowledge");
                return;
            }
            markAcknowledged((int) (entry & mask));
            if (entry == oldest) {
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
            long registered = tail;
            for (long entry = head; entry < registered && sequences[(int) (entry & mask)] <= sequence; entry++) {
                markAcknowledged((int) (entry & mask));
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
            long registered = tail;
            for (long entry = head; entry < registered; entry++) {
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

    private void markAcknowledged(int slot) {
        states[slot] = ACKNOWLEDGED;
        if (failedCopies[slot] != null) { // only a failed entry holds these: no stores on the common path
            failedCopies[slot] = null;
            failures[slot] = null;
        }
    }

    private void advanceLocked() {
        long registered = tail;
        long oldest = head;
        int acknowledged = 0;
        while (oldest < registered && states[(int) (oldest & mask)] == ACKNOWLEDGED) {
            oldest++;
            acknowledged++;
        }
        if (acknowledged > 0) {
            head = oldest;
        }
        // Read after the head moved: the handler thread writes its position, then reads the head
        // (batchDispatched), so one of the two sees the other's write. And the tail again after the
        // position: the handler thread registers what it delivers before it writes the position, so
        // every entry behind that position is below this tail, and the cursor passes none of them.
        long lastDispatched = dispatched;
        registered = tail;
        long position = oldest < registered ? positionBefore[(int) (oldest & mask)] : lastDispatched;
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
