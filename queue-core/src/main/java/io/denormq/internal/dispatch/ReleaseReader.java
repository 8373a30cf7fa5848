package io.denormq.internal.dispatch;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.denormq.IncompatibleJournalException;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecovery;
import io.denormq.internal.journal.ReleaseResolver;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ErrorHandler;

/**
 * The reader thread: tails the journal and, as its {@link ReleaseResolver} turns releases into
 * released batches (keeping the batches whose transactions have not completed, dropping rolled-back
 * ones, reading a batch older than where reading started by its index), publishes their messages
 * into the dispatch ring in release order.
 *
 * <p>A record of a newer format version stops the reader, reported to the error handler: it is
 * neither misread nor skipped (skipping it could lose its messages).
 *
 * <p>A redrive (an operator's {@code DEAD_LETTER_SETTLED} record) is dispatched to the dead
 * letter's handler only, with the redrive's own, newer sequence. In a rebuild, a message is
 * delivered once even if it was dead-lettered and redriven: the replay delivers it at its original
 * place, in its key's release order, and passes over the redrives of deliveries that the replay
 * itself made again (see {@link #redrive}).
 *
 * <p>Under a flush policy that survives a machine crash it reads only records that are on the disk
 * ({@link Journal#readOnlyDurable()}), flushing when it reaches the end of them, so that no cursor
 * or low-water mark derived from what it read can claim more than the disk holds.
 *
 * <p>It also maintains the checkpoint's recovery low-water mark: the oldest batch it holds without
 * an outcome, so that recovery after a crash reads from there and no further back.
 */
final class ReleaseReader implements Runnable {
    /** Under sustained load, the low-water mark is refreshed every this many + 1 records. */
    private static final int LOW_WATER_EVERY_READS = 1023;
    /**
     * A full ring is filled again once this share of it (a quarter) is free; the handler's batches are
     * as long at most, so that it frees a share while the rest keeps it busy (see {@link Dispatcher}).
     */
    static final int RING_SHARES = 4;

    private final Journal journal;
    private final LowWaterMarks lowWaterMarks;
    private final int readerNumber;
    private final String label;
    private final String target;
    private final int partition;
    private final int partitions;
    private final RingBuffer<MessageEvent> ring;
    /** Whether less than the share of the ring the reader resumes at is free (one instance: no allocation per wait). */
    private final BooleanSupplier roomShort;
    private final long startIndex;
    private final long skipUpToSequence;
    private final long redeliveredUpToIndex;
    private final boolean rebuilding;
    private final ReaderIdle idleStrategy;
    private final ErrorHandler errorHandler;
    private final ReleaseResolver resolver;
    /** Kept in a field: a method reference per record would allocate on the hot path. */
    private final ReleaseResolver.Released dispatch = this::dispatch;
    private byte[] scratch = new byte[1024];
    /** The slots filled and not yet published (reader thread): the first, -1 if none, and the last. */
    private long firstUnpublished = -1;
    private long lastUnpublished = -1;
    private long reads;
    private long lowWaterWritten = Long.MIN_VALUE;
    private volatile long lastReadIndex = CheckpointDescriptor.NOTHING;
    private volatile boolean running = true;
    private volatile boolean drainAndStop;
    /** Reader thread: a read begun after {@link #drainAndStop} was seen is under way or found the journal's end. */
    private boolean drainConfirmed;
    private volatile boolean caughtUp;
    /** The next record is not on the disk yet (a flush policy bounds reads to what is durable). */
    private boolean awaitingFlush;
    /** When this reader last read something (noted once per wake-up that did). */
    private long lastProgressAt;
    /** Whether it read something since it last noted {@link #lastProgressAt}. */
    private boolean readSinceProgress;
    /** When this reader, idle, last checked for a day left without its end-of-file marker. */
    private long lastDayEndCheck;
    private static final long DAY_END_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long a reader waits for a committer's or the periodic flusher's flush to cover a record
     * before it flushes the journal itself: the delay a quiet queue adds to delivery.
     */
    private static final long FLUSH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private volatile int unresolvedCount;
    private ReplayProgress progress;

    /**
     * @param journal              the journal to tail
     * @param lowWaterMarks        where this reader's low-water mark goes
     * @param readerNumber         this reader's place among the low-water marks
     * @param target               the handler this reader feeds (redrives for other handlers are not
     *                             dispatched), or null for a reader without a handler
     * @param partition            the partition of {@code target} this reader feeds
     * @param partitions           how many partitions {@code target} has
     * @param label                names the reader in logs
     * @param ring                 the dispatch ring; this thread is its only producer
     * @param startIndex           the journal index to start reading at, or -1 for the start
     * @param skipUpToSequence     messages at or below this sequence were processed by every handler
     * @param redeliveredUpToIndex releases at or below this index were written before this start
     * @param rebuilding           whether {@code target} is being rebuilt on this start: its read model
     *                             was emptied back to {@code skipUpToSequence}, from where it is replayed
     * @param idleStrategy         how to wait when the journal has nothing new
     * @param errorHandler         where failures go
     */
    ReleaseReader(Journal journal, LowWaterMarks lowWaterMarks, int readerNumber, String target, int partition,
                         int partitions, String label, RingBuffer<MessageEvent> ring, long startIndex, long skipUpToSequence,
                         long redeliveredUpToIndex, boolean rebuilding, ReaderIdle idleStrategy,
                         ErrorHandler errorHandler) {
        this.journal = journal;
        this.lowWaterMarks = lowWaterMarks;
        this.readerNumber = readerNumber;
        this.target = target;
        this.partition = partition;
        this.partitions = partitions;
        this.label = label;
        this.ring = ring;
        int resumeAtFree = ring.getBufferSize() / RING_SHARES;
        this.roomShort = () -> ring.remainingCapacity() < resumeAtFree;
        this.startIndex = startIndex;
        this.skipUpToSequence = skipUpToSequence;
        this.redeliveredUpToIndex = redeliveredUpToIndex;
        this.rebuilding = rebuilding;
        this.idleStrategy = idleStrategy;
        this.errorHandler = errorHandler;
        this.resolver = ReleaseResolver.releasing(journal, new BatchArrays(), errorHandler);
    }

    @Override
    public void run() {
        try (ExcerptTailer tailer = journal.createTailer(); ExcerptTailer batchTailer = journal.createTailer()) {
            JournalRecovery.position(tailer, startIndex, journal);
            progress = new ReplayProgress(journal, label, startIndex, redeliveredUpToIndex);
            lastProgressAt = System.nanoTime();
            while (running) {
                boolean read;
                idleStrategy.beforeRead();
                try {
                    read = readOne(tailer, batchTailer);
                } catch (IncompatibleJournalException e) {
                    errorHandler.onError(e);
                    break; // the record stays unread: a newer denormq must read it
                } catch (RuntimeException e) {
                    errorHandler.onError(e);
                    read = true;
                }
                if (read) {
                    if ((++reads & LOW_WATER_EVERY_READS) == 0) {
                        updateLowWater();
                    }
                    idleStrategy.reset();
                    readSinceProgress = true;
                    continue;
                }
                if (readSinceProgress) {
                    // once per wake-up that read something, not per record: a replay reads millions
                    readSinceProgress = false;
                    lastProgressAt = System.nanoTime();
                }
                if (awaitingFlush) {
                    awaitingFlush = false;
                    // measured from the last read, not from when the unflushed record was first seen: under
                    // steady commits every wake-up reads what the committers flushed, so the reader never
                    // flushes by itself (it would once per wake-up); on a quiet queue the last commit's
                    // release record is flushed one wait after the batch before it was read
                    long waited = System.nanoTime() - lastProgressAt;
                    if (waited < FLUSH_WAIT_NANOS) {
                        // under load the committers' next flush covers this record: a flush of our own would
                        // double the flushes per commit
                        idleStrategy.idleAtMost(FLUSH_WAIT_NANOS - waited);
                        continue;
                    }
                    if (journal.flushing()) {
                        // a committer's flush runs (on a slow disk one can take longer than our wait): it rings
                        // when done, and the next one covers this record
                        idleStrategy.idleAtMost(FLUSH_WAIT_NANOS);
                        continue;
                    }
                    try {
                        journal.forceAll(); // nobody flushed it: a quiet queue, so flush it ourselves
                        continue;
                    } catch (RuntimeException e) {
                        errorHandler.onError(e);
                    }
                }
                long now = System.nanoTime();
                if (now - lastDayEndCheck > DAY_END_CHECK_NANOS) {
                    lastDayEndCheck = now;
                    if (journal.moveOnFromADayWithoutEnd(tailer)) {
                        continue;
                    }
                }
                updateLowWater();
                caughtUp = true;
                if (drainAndStop) {
                    if (drainConfirmed) {
                        break;
                    }
                    // The read that just found nothing may have run before the records that close() waited
                    // for (the release of a commit that was still running) were appended: one more read,
                    // begun after the request, sees everything appended before it
                    drainConfirmed = true;
                    continue;
                }
                idleStrategy.idle();
            }
        } catch (RuntimeException | Error e) {
            errorHandler.onError(e);
        } finally {
            running = false;
        }
    }

    private boolean readOne(ExcerptTailer tailer, ExcerptTailer batchTailer) {
        try {
            return readAndDispatchOne(tailer, batchTailer);
        } catch (RuntimeException | Error e) {
            publishClaimed(); // what was filled before the failure: a slot left unpublished would stall the handler
            throw e;
        }
    }

    private boolean readAndDispatchOne(ExcerptTailer tailer, ExcerptTailer batchTailer) {
        byte kind;
        long index;
        int length;
        try (DocumentContext context = tailer.readingDocument()) {
            if (!context.isPresent()) {
                return false;
            }
            index = context.index();
            if (index > journal.durableIndex()) {
                context.rollbackOnClose(); // read again once a flush has covered it
                awaitingFlush = true;
                return false;
            }
            Bytes<?> bytes = context.wire().bytes();
            length = (int) bytes.readRemaining();
            if (length < HEADER_LENGTH) {
                errorHandler.onError(new IllegalStateException("Journal " + journal.directory() + ": record at index "
                        + Long.toHexString(index) + " is " + length + " bytes, shorter than a header; skipped"));
                lastReadIndex = index;
                return true;
            }
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            bytes.read(scratch, 0, length);
            try {
                checkVersion(scratch, index, journal.directory());
            } catch (IncompatibleJournalException e) {
                context.rollbackOnClose();
                throw e;
            }
        }
        // the ring holds copies of the messages: the resolver may reuse a batch's array once dispatched
        if (!resolver.onRecord(scratch, length, index, batchTailer, dispatch)) {
            kind = scratch[KIND_OFFSET];
            switch (kind) {
                case KIND_DEAD_LETTER -> {
                    // dead letters are read by the inspection API, not dispatched
                }
                case KIND_DEAD_LETTER_SETTLED -> {
                    if (scratch[REASON_OFFSET] == SETTLED_REDRIVEN) {
                        redrive(batchTailer, batchIndexOf(scratch), index, timestampOf(scratch));
                    }
                }
                default -> errorHandler.onError(new IllegalStateException("Journal " + journal.directory()
                        + ": record at index " + Long.toHexString(index) + " has unknown kind " + kind + "; skipped"));
            }
        }
        // before the record counts as read: a caller waiting for everything read to be processed compares the
        // handler's progress with the ring's cursor once it sees lastReadIndex past the record
        publishClaimed();
        int unresolved = resolver.unresolvedCount();
        if (unresolved != unresolvedCount) {
            unresolvedCount = unresolved;
        }
        lastReadIndex = index;
        progress.onRead(index);
        return true;
    }

    private void dispatch(byte[] batch, long releaseIndex, long batchIndex, int firstOrdinal) {
        int count = messageCountOf(batch);
        long releasedAt = timestampOf(batch);
        boolean redelivered = releaseIndex <= redeliveredUpToIndex;
        int offset = MESSAGES_OFFSET;
        for (int ordinal = 0; ordinal < count; ordinal++) {
            long sequence = compose(releaseIndex, firstOrdinal + ordinal);
            int messageOffset = offset;
            offset = skipMessage(batch, offset);
            if (sequence <= skipUpToSequence) {
                continue;
            }
            long slot = claim();
            if (slot < 0) {
                return;
            }
            // only a partitioned handler routes by key: hashing every key cost a reader replaying a backlog
            // for one handler most of its time (JFR, RecoverySpeed)
            int keyHash = partitions == 1 ? 0 : keyHash(batch, messageOffset);
            ring.get(slot).set(batch, messageOffset, offset, keyHash, wanted(keyHash), sequence,
                    compose(batchIndex, ordinal), releasedAt, redelivered, null);
            claimed(slot);
        }
    }

    /**
     * Dispatches a dead letter's message again, to its handler only, unless this is a rebuild that
     * already delivered it.
     *
     * <p>A rebuild replays the failed delivery that the dead letter recorded (the message at its
     * own place, or an earlier redrive of it) to a read model emptied by {@code onRebuild}: when
     * that delivery lies within the replay (its sequence is after the rebuild's start), the redrive
     * is passed over, or the message would be applied twice — the redrive's newer sequence gets
     * past a last-applied-sequence check. Delivering at the original place rather than at the
     * redrive keeps the key's release order, and needs no look-ahead. If the message fails again in
     * the rebuild, it becomes a new dead letter. A redrive whose failed delivery is at or before the
     * rebuild's start (a snapshot taken between the failure and the redrive) is delivered: the
     * snapshot lacks the message.
     *
     * <p>Replays that are not rebuilds (a restart, lost cursors) deliver every redrive, as the live
     * run did: the read model was kept, so its last-applied sequence may skip the original, and the
     * redrive is then the message's only delivery.
     */
    private void redrive(ExcerptTailer tailer, long deadLetterIndex, long settledIndex, long redriveMillis) {
        long sequence = compose(settledIndex, 0);
        if (sequence <= skipUpToSequence || target == null) {
            return;
        }
        DeadLetterRecords.Located located = DeadLetterRecords.readAt(journal, tailer, deadLetterIndex);
        if (located != null && !located.handler().equals(target)) {
            return; // another handler's redrive
        }
        if (located == null) {
            errorHandler.onError(new IllegalStateException("Journal " + journal.directory() + ": redrive at index "
                    + Long.toHexString(settledIndex) + " refers to dead letter " + Long.toHexString(deadLetterIndex)
                    + ", which is not in the journal; nothing redriven"));
            return;
        }
        if (rebuilding && located.failedSequence() > skipUpToSequence) {
            return; // this rebuild delivered the failed delivery again, at its own place
        }
        long slot = claim();
        if (slot < 0) {
            return;
        }
        byte[] record = located.record();
        int messageEnd = skipMessage(record, located.messageOffset());
        MessageEvent event = ring.get(slot);
        // released when the redrive was asked for (its record's time), the same on every re-delivery
        event.set(record, located.messageOffset(), messageEnd, keyHash(record, located.messageOffset()), true,
                sequence, located.messageId(), redriveMillis, true, located.handler());
        event.originalSequence = located.failedSequence();
        claimed(slot);
    }

    /** Whether this reader's handler partition will process a message with this key (others only pass it). */
    private boolean wanted(int keyHash) {
        return target != null && MessageEvent.inPartition(keyHash, partition, partitions);
    }

    /** A slot is filled: it is published with the record's others once the record is read. */
    private void claimed(long slot) {
        if (firstUnpublished < 0) {
            firstUnpublished = slot;
        }
        lastUnpublished = slot;
    }

    /**
     * Publishes the slots filled since the last publication, at once: one release store of the
     * ring's cursor and one look for a sleeping handler (a full fence) per record instead of per
     * message, which a RELEASES record of one-message transactions made once per message.
     */
    private void publishClaimed() {
        if (firstUnpublished >= 0) {
            ring.publish(firstUnpublished, lastUnpublished);
            firstUnpublished = -1;
        }
    }

    private long claim() {
        while (true) {
            try {
                return ring.tryNext();
            } catch (InsufficientCapacityException full) {
                publishClaimed(); // the handler must see what this reader filled, or it frees no room
                // Once the ring is full, wait until a share of it is free: taking each slot as the handler
                // frees it costs the reader a wait (spins, a sleep) per message and moves the ring's
                // cache lines between the cores on every one, while the handler still has the rest to do
                do {
                    if (!running) {
                        return -1;
                    }
                    idleStrategy.waitForRoom(roomShort);
                } while (roomShort.getAsBoolean());
            }
        }
    }

    private void updateLowWater() {
        long oldestUnresolved = resolver.oldestUnresolved();
        long lowWater = oldestUnresolved != Long.MAX_VALUE ? oldestUnresolved : lastReadIndex;
        if (lowWater != lowWaterWritten && lowWater != CheckpointDescriptor.NOTHING) {
            lowWaterMarks.update(readerNumber, lowWater);
            lowWaterWritten = lowWater;
        }
    }

    /** Asks the reader to stop once it has read everything in the journal. */
    public void drainAndStop() {
        drainAndStop = true;
        idleStrategy.wake();
    }

    /** Stops the reader now, even if the ring is full. */
    public void stop() {
        running = false;
        idleStrategy.wake();
    }

    /** @return the index of the last record read, or -1 */
    public long lastReadIndex() {
        return lastReadIndex;
    }

    /** @return whether the reader has reached the end of the journal at least once */
    public boolean hasCaughtUp() {
        return caughtUp;
    }

    /** @return batches read whose outcome (release or rollback) the reader has not seen yet */
    public int unresolvedCount() {
        return unresolvedCount;
    }

    /** @return whether the reader thread is still running */
    public boolean isRunning() {
        return running;
    }
}
