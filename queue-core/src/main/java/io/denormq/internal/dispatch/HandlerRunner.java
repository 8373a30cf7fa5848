package io.denormq.internal.dispatch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventHandler;
import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.HandlerInterceptor;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.PayloadCodec;
import io.denormq.RetryPolicy;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.MessageView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers ring events to one handler on its own thread: skips what the handler already
 * acknowledged, retries failures with backoff, dead-letters a message after the last attempt, and
 * stores the handler's cursor at the end of every Disruptor batch (and before each backoff, so that
 * the progress made before a poison message is durable).
 *
 * <p>Once {@link #halt()} is called nothing more is acknowledged, so a message interrupted by
 * shutdown is delivered again on the next start.
 *
 * <p>A message that cannot be dead-lettered halts the runner for good ({@link #haltReason()}): it
 * processes and acknowledges nothing more, so that message and every later one are delivered again
 * after a restart. It logs one ERROR saying what to do and runs the action given to
 * {@link #whenHalted}, with which the dispatcher stops its pipeline.
 *
 * <p>For an {@link AsyncMessageHandler} a message returned from is only accepted: it is kept in
 * {@link InFlightMessages} until acknowledged, and the cursor follows the acknowledgements instead
 * of the end of the batch. Delivery waits once {@link AsyncMessageHandler#maxInFlight()} messages
 * are unacknowledged, until an eighth of them is acknowledged; failed messages are delivered again from this thread, oldest first, between
 * deliveries and when the ring is idle ({@link #onTimeout}). A plain {@link MessageHandler} takes
 * none of these paths.
 */
public final class HandlerRunner implements EventHandler<MessageEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerRunner.class);

    private final String name;
    private final int partition;
    private final int partitions;
    private final MessageHandler handler;
    /** Wraps each invocation; null when none is configured, and then dispatch calls the handler directly. */
    private final HandlerInterceptor interceptor;
    private final RetryPolicy retryPolicy;
    private final CheckpointFile checkpoint;
    private final int slot;
    private final Journal journal;
    private final MessageView view;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private long cursor;
    /** Read by other threads (stats, cursors) even after the checkpoint file was unmapped at close. */
    private volatile long cursorStored;
    private volatile boolean halted;
    /** Why a failure halted this runner; null while it runs or when only shutdown halted it. */
    private volatile String haltReason;
    private Runnable onHalted = () -> { };
    /** Set when the event processor's thread has left its loop: nothing more will be processed. */
    private volatile boolean shutDown;
    /** The messages an asynchronous handler has not acknowledged yet; null for a plain handler. */
    private final InFlightMessages inFlight;
    /** Whether the last hint to an asynchronous handler failed: its failures are logged once in a row. */
    private boolean hintFailing;

    /**
     * @param name        the handler's name
     * @param partition   the partition this runner serves
     * @param partitions  how many partitions the handler has
     * @param handler     the user's handler
     * @param retryPolicy how failures are retried
     * @param checkpoint  where the cursor is stored
     * @param slot        the handler partition's checkpoint slot
     * @param journal     where dead letters are written
     */
    public HandlerRunner(String name, int partition, int partitions, MessageHandler handler, RetryPolicy retryPolicy,
                         CheckpointFile checkpoint, int slot, Journal journal) {
        this(name, partition, partitions, handler, retryPolicy, checkpoint, slot, journal, 0);
    }

    /**
     * @param maxInFlight for an {@link AsyncMessageHandler}, how many of its messages may be
     *                    unacknowledged (its {@link AsyncMessageHandler#maxInFlight()}, checked); 0 for a plain handler
     * @see #HandlerRunner(String, int, int, MessageHandler, RetryPolicy, CheckpointFile, int, Journal)
     */
    public HandlerRunner(String name, int partition, int partitions, MessageHandler handler, RetryPolicy retryPolicy,
                         CheckpointFile checkpoint, int slot, Journal journal, int maxInFlight) {
        this(name, partition, partitions, handler, retryPolicy, checkpoint, slot, journal, maxInFlight, null);
    }

    /**
     * @param codec the queue's default codec, for {@link io.denormq.Message#payload(Class)}; null if none
     * @see #HandlerRunner(String, int, int, MessageHandler, RetryPolicy, CheckpointFile, int, Journal, int)
     */
    public HandlerRunner(String name, int partition, int partitions, MessageHandler handler, RetryPolicy retryPolicy,
                         CheckpointFile checkpoint, int slot, Journal journal, int maxInFlight, PayloadCodec codec) {
        this(name, partition, partitions, handler, retryPolicy, checkpoint, slot, journal, maxInFlight, codec, null);
    }

    /**
     * @param interceptor wraps every invocation of the handler; null for none (the handler is called directly)
     * @see #HandlerRunner(String, int, int, MessageHandler, RetryPolicy, CheckpointFile, int, Journal, int, PayloadCodec)
     */
    public HandlerRunner(String name, int partition, int partitions, MessageHandler handler, RetryPolicy retryPolicy,
                         CheckpointFile checkpoint, int slot, Journal journal, int maxInFlight, PayloadCodec codec,
                         HandlerInterceptor interceptor) {
        this.interceptor = interceptor;
        this.view = new MessageView(codec);
        this.name = name;
        this.partition = partition;
        this.partitions = partitions;
        this.handler = handler;
        this.retryPolicy = retryPolicy;
        this.checkpoint = checkpoint;
        this.slot = slot;
        this.journal = journal;
        this.cursor = checkpoint.cursor(slot);
        this.cursorStored = cursor;
        this.inFlight = maxInFlight > 0
                ? new InFlightMessages(displayName(), maxInFlight, cursor, this::storeAcknowledged) : null;
    }

    @Override
    public void onEvent(MessageEvent event, long ringSequence, boolean endOfBatch) {
        if (halted) {
            return;
        }
        if (inFlight != null) {
            onEventAsync(event, endOfBatch);
            return;
        }
        if (event.sequence > cursor && !isMine(event)) {
            cursor = event.sequence; // another partition's key, or another handler's redrive: passed, nothing to do
        } else if (event.sequence > cursor) {
            event.wrapInto(view);
            if (!deliver()) {
                return;
            }
            cursor = event.sequence;
            processed.incrementAndGet();
        }
        if (endOfBatch) {
            storeCursor();
        }
    }

    private void onEventAsync(MessageEvent event, boolean endOfBatch) {
        if (inFlight.failuresPending()) {
            retryFailed();
        }
        if (event.sequence > cursor && !isMine(event)) {
            cursor = event.sequence;
            inFlight.dispatched(cursor);
        } else if (event.sequence > cursor) {
            if (!awaitRoom()) {
                return;
            }
            inFlight.register(event.sequence);
            event.wrapInto(view);
            if (!deliver()) {
                return;
            }
            cursor = event.sequence;
            inFlight.dispatched(cursor);
        }
        if (endOfBatch && !halted) {
            inFlight.batchDispatched(); // the messages passed over since the last acknowledgement
            hintAsync();
        }
    }

    /**
     * Called by the event processor when the ring stayed empty for a while and this runner asked for
     * attention ({@link #needsAttention()}): an asynchronous handler's failed messages are delivered
     * again, and the handler is given its hint, even when no new message arrives.
     */
    @Override
    public void onTimeout(long sequence) {
        if (inFlight == null || halted) {
            return;
        }
        if (inFlight.failuresPending()) {
            retryFailed();
        }
        if (!halted && inFlight.size() > 0) {
            hintAsync();
        }
    }

    /** @return whether an asynchronous handler has unacknowledged messages: the idle ring should call {@link #onTimeout} */
    boolean needsAttention() {
        return inFlight != null && !halted && inFlight.size() > 0;
    }

    /**
     * Waits, at the in-flight cap, until acknowledgements make room to resume (an eighth of the cap);
     * false if halted meanwhile.
     */
    private boolean awaitRoom() {
        if (!inFlight.isFull()) {
            return !halted;
        }
        while (!inFlight.hasRoomToResume()) {
            if (halted) {
                return false;
            }
            if (inFlight.failuresPending()) {
                retryFailed();
                continue;
            }
            inFlight.awaitChange();
            if (!inFlight.hasRoomToResume() && !halted) {
                hintAsync(); // a handler that completes its own failures (re-sends) may be what holds the room
            }
        }
        return !halted;
    }

    /**
     * {@code onCaughtUp} of an asynchronous handler: a hint (push out what it batches, act on its own
     * failures) that gates nothing, so a failure is only logged, once in a row.
     */
    private void hintAsync() {
        try {
            handler.onCaughtUp();
            hintFailing = false;
        } catch (Throwable failure) {
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!hintFailing && !halted) {
                LOG.warn("Handler '{}' failed in onCaughtUp; its cursor follows its acknowledgements all the same: {}",
                        displayName(), describe(failure));
            }
            hintFailing = true;
        }
    }

    /**
     * Delivers the asynchronous handler's failed messages again, oldest first, after the retry
     * policy's backoff; one that failed as many times as the policy has attempts is dead-lettered
     * and counts as acknowledged.
     */
    private void retryFailed() {
        InFlightMessages.Failure failed;
        while (!halted && (failed = inFlight.takeFailure()) != null) {
            Message copy = failed.copy();
            int attempts = failed.failedAttempts();
            if (attempts >= retryPolicy.maxAttempts()) {
                deadLetterFailed(copy, attempts, failed.failure());
                continue;
            }
            retries.incrementAndGet();
            if (attempts == 1) {
                LOG.warn("Handler '{}' reported {} failed (attempt 1 of {}); delivering it again with backoff: {}",
                        displayName(), copy, retryPolicy.maxAttempts(), describe(failed.failure()));
            }
            inFlight.advance();
            if (!backoff(attempts)) {
                return;
            }
            try {
                invoke(copy);
            } catch (Throwable again) {
                if (again instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (halted) {
                    return;
                }
                inFlight.failedAgain(copy, again);
            }
        }
    }

    private void deadLetterFailed(Message copy, int attempts, Throwable failure) {
        try {
            long index = DeadLetterRecords.append(journal, name, partition, copy, attempts, failure);
            deadLetters.incrementAndGet();
            LOG.error("Handler '{}' gave up on {} after {} attempts; dead-lettered at journal index {} of {}. "
                            + "It is listed by DenormQueue.deadLetters(); the handler goes on with the next message.",
                    displayName(), copy, attempts, Long.toHexString(index), journal.directory(), failure);
            inFlight.acknowledge(copy.sequence());
        } catch (RuntimeException | Error e) {
            haltOnFailure(copy, attempts, failure, e);
        }
    }

    /** Called under the in-flight lock, with increasing positions, from whichever thread acknowledged. */
    private void storeAcknowledged(long position, int acknowledgedMessages) {
        if (position != cursorStored) {
            checkpoint.putCursor(slot, position);
            cursorStored = position;
        }
        if (acknowledgedMessages > 0) {
            processed.addAndGet(acknowledgedMessages);
        }
    }

    private boolean isMine(MessageEvent event) {
        return (event.target == null || event.target.equals(name))
                && MessageEvent.inPartition(event.keyHash, partition, partitions);
    }

    private void invoke(Message message) throws Exception {
        if (interceptor == null) {
            handler.onMessage(message);
        } else {
            interceptor.invoke(name, message, handler);
        }
    }

    private boolean deliver() {
        int attempts = 0;
        while (true) {
            try {
                invoke(view);
                return true;
            } catch (Throwable failure) {
                attempts++;
                if (failure instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (halted) {
                    // shutdown interrupted this message: keep the progress made before it
                    acknowledge();
                    return false;
                }
                if (attempts >= retryPolicy.maxAttempts()) {
                    return deadLetter(attempts, failure);
                }
                retries.incrementAndGet();
                if (attempts == 1) {
                    // describe(): an exception that cannot print itself must not turn a retry into a skip
                    LOG.warn("Handler '{}' failed on {} (attempt 1 of {}); retrying with backoff: {}", name, view,
                            retryPolicy.maxAttempts(), describe(failure));
                }
                storeCursor();
                if (!backoff(attempts)) {
                    return false;
                }
            }
        }
    }

    private boolean backoff(int failedAttempts) {
        long deadline = System.nanoTime() + retryPolicy.backoffNanos(failedAttempts);
        long remaining;
        while (!halted && (remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        Thread.interrupted();
        return !halted;
    }

    /**
     * Dead-letters a message the handler returned from and that is not yet acknowledged, whose
     * processing failed for good after {@code onMessage} returned ({@link io.denormq.HandlerContext#deadLetter}).
     * Handler thread only (from {@code onMessage} or {@code onCaughtUp}): the dead letter is then
     * journaled before the cursor can pass the message.
     *
     * @param message  a copy of the message
     * @param attempts how many times processing it failed
     * @param failure  the last failure
     * @return the dead letter's journal index
     * @throws IllegalArgumentException if the message is not one delivered to this runner and not yet acknowledged
     */
    public long deadLetterDelivered(Message message, int attempts, Throwable failure) {
        long sequence = message.sequence();
        if (inFlight != null) {
            if (!inFlight.isUnacknowledged(sequence)) {
                throw new IllegalArgumentException("Handler '" + displayName() + "' cannot dead-letter message of sequence "
                        + Long.toHexString(sequence) + ": only one delivered to it and not yet acknowledged can be "
                        + "(acknowledged up to " + Long.toHexString(cursorStored) + ")");
            }
        } else if (sequence <= cursorStored || sequence > cursor) {
            throw new IllegalArgumentException("Handler '" + displayName() + "' cannot dead-letter message of sequence "
                    + Long.toHexString(sequence) + ": only one delivered to it and not yet acknowledged can be (acknowledged "
                    + "up to " + Long.toHexString(cursorStored) + ", delivered up to " + Long.toHexString(cursor) + ")");
        }
        long index = DeadLetterRecords.append(journal, name, partition, message, attempts, failure);
        deadLetters.incrementAndGet();
        LOG.error("Handler '{}' gave up on the message of sequence {} (id {}, topic {}) after {} attempts, after it had "
                        + "accepted it; dead-lettered at journal index {} of {}. It is listed by DenormQueue.deadLetters().",
                displayName(), Long.toHexString(sequence), Long.toHexString(message.id()), message.topic(), attempts,
                Long.toHexString(index), journal.directory(), failure);
        if (inFlight != null) {
            inFlight.acknowledge(sequence);
        }
        return index;
    }

    private boolean deadLetter(int attempts, Throwable failure) {
        try {
            long index = DeadLetterRecords.append(journal, name, partition, view, attempts, failure);
            deadLetters.incrementAndGet();
            LOG.error("Handler '{}' gave up on {} after {} attempts; dead-lettered at journal index {} of {}. "
                            + "It is listed by DenormQueue.deadLetters(); the handler goes on with the next message.",
                    name, view, attempts, Long.toHexString(index), journal.directory(), failure);
            if (inFlight != null) {
                inFlight.acknowledge(view.sequence());
            }
            return true;
        } catch (RuntimeException | Error e) { // an Error too: a full disk shows as one (SIGBUS)
            haltOnFailure(view, attempts, failure, e);
            return false;
        }
    }

    /**
     * Stops for good: acknowledging past a message that is neither processed nor dead-lettered
     * would lose it. Halts first, so that nothing below (a logger that throws) can let it go on.
     */
    private void haltOnFailure(Message message, int attempts, Throwable failure, Throwable deadLetterFailure) {
        halt();
        haltReason = "could not dead-letter " + message + " after " + attempts + " failed attempt(s) in journal "
                + journal.directory() + ": " + describe(deadLetterFailure) + "; cursor frozen at "
                + Long.toHexString(cursorStored) + ". Fix the cause and restart the application: this message "
                + "and every later one are delivered again then";
        try {
            onHalted.run();
        } finally {
            try {
                deadLetterFailure.addSuppressed(failure);
                LOG.error("Handler '{}' is HALTED: it {}. Until the restart it processes and acknowledges nothing "
                                + "(stats() and the health check show it as HALTED, the denormq.handler.halted "
                                + "gauge is 1, awaitProcessed returns false); nothing is lost. The cause is the "
                                + "exception below (disk space, journal directory permissions or the handler's own "
                                + "exception), the handler's last failure is attached to it",
                        displayName(), haltReason, deadLetterFailure);
            } catch (RuntimeException loggingFailed) {
                // the handler is halted, and its stats say why: a logger that cannot print must not undo that
            }
        }
    }

    private static String describe(Throwable failure) {
        try {
            return failure.toString();
        } catch (RuntimeException unprintable) {
            return failure.getClass().getName();
        }
    }

    /**
     * Acknowledges what the handler returned from, once the handler confirmed that its deferred
     * work is durable: a failure there leaves the cursor where it was.
     */
    private void storeCursor() {
        if (!halted) {
            acknowledge();
        }
    }

    private void acknowledge() {
        if (inFlight != null) {
            inFlight.advance(); // an asynchronous handler's cursor follows its acknowledgements alone
            return;
        }
        if (cursor == cursorStored) {
            return;
        }
        try {
            handler.onCaughtUp();
        } catch (Throwable failure) {
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Handler '{}' could not make its work durable (onCaughtUp); its cursor stays at {} until a later "
                    + "call succeeds: {}", name, Long.toHexString(cursorStored), failure.toString());
            return;
        }
        writeCursor();
    }

    /** The cursor only ever holds messages whose processing finished, so writing it is always safe. */
    private void writeCursor() {
        if (cursor != cursorStored) {
            checkpoint.putCursor(slot, cursor);
            cursorStored = cursor;
        }
    }

    @Override
    public void onShutdown() {
        shutDown = true;
    }

    /** @return whether the event processor's thread has stopped (a processor not yet started has not) */
    public boolean hasShutDown() {
        return shutDown;
    }

    /**
     * Stops acknowledging: whatever is delivered from now on, and whatever an asynchronous handler
     * acknowledges from now on, is delivered again after a restart. Once this returns, no thread
     * stores this handler's cursor any more.
     */
    public void halt() {
        halted = true;
        if (inFlight != null) {
            inFlight.close();
        }
    }

    /** @return whether the handler is an {@link AsyncMessageHandler} */
    public boolean isAsync() {
        return inFlight != null;
    }

    /**
     * @return an asynchronous handler's acknowledgements
     * @throws IllegalStateException for a plain handler
     */
    public Acknowledgements acknowledgements() {
        if (inFlight == null) {
            throw new IllegalStateException("Handler '" + displayName() + "' is a MessageHandler: its messages are "
                    + "acknowledged when onMessage (and onCaughtUp) return. Implement AsyncMessageHandler to acknowledge later");
        }
        return inFlight;
    }

    /** @return messages delivered to an asynchronous handler and not yet acknowledged; 0 for a plain handler */
    public int unacknowledged() {
        return inFlight == null ? 0 : inFlight.size();
    }

    /**
     * Sets what to do, on this runner's thread, when a failure halts it; called before the runner
     * starts.
     *
     * @param action stops the runner's pipeline (its event processor and reader)
     */
    void whenHalted(Runnable action) {
        this.onHalted = action;
    }

    /**
     * @return why a failure halted this runner (the message, the failure, what to do), or null if
     *         none did; a runner halted only by shutdown returns null
     */
    public String haltReason() {
        return haltReason;
    }

    /** @return the handler's name */
    public String name() {
        return name;
    }

    /** @return how many partitions the handler has */
    public int partitions() {
        return partitions;
    }

    /** @return the partition this runner serves */
    public int partition() {
        return partition;
    }

    /** @return the name, with "#partition" for a partitioned handler: how cursors and threads are named */
    public String displayName() {
        return partitions == 1 ? name : name + "#" + partition;
    }

    /** @return messages processed (dead letters included) since start */
    public long processed() {
        return processed.get();
    }

    /** @return retries since start */
    public long retries() {
        return retries.get();
    }

    /** @return messages dead-lettered since start */
    public long deadLetters() {
        return deadLetters.get();
    }

    /** @return the handler's durable cursor, as this runner last stored it */
    public long storedCursor() {
        return cursorStored;
    }
}
