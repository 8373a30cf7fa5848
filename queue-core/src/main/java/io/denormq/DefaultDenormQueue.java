package io.denormq;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.denormq.internal.dispatch.CountingErrorHandler;
import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.dispatch.Dispatcher;
import io.denormq.internal.dispatch.HandlerRunner;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.GroupFlush;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalDirectory;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalLock;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.JournalRecovery;
import io.denormq.internal.journal.RecordBuffer;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionParticipant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue: the publish path (validation, the transaction-local batch, journal appends) and the
 * lifecycle (lock, recover, dispatch, close).
 */
final class DefaultDenormQueue implements DenormQueue {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultDenormQueue.class);
    private static final int MAX_CACHED_TOPICS = 4096;
    private static final int RECYCLED_BUFFER_MAX_BYTES = 64 * 1024;

    private final Path directory;
    private final Durability durability;
    private final FlushPolicy flushPolicy;
    private final TransactionBinding binding;
    private final int maxPayloadBytes;
    private final Duration shutdownTimeout;
    private final long lowSpaceWarningBytes;
    private final JournalLock lock;
    private final Journal journal;
    private final CheckpointFile checkpoint;
    private final Dispatcher dispatcher;
    private final PeriodicFlusher flusher;
    /** Shares flushes between concurrent commits under {@link FlushPolicy#everyCommit()}; null otherwise. */
    private final GroupFlush groupFlush;
    private final RetentionTask retention;
    private final CountingErrorHandler errorHandler;
    private final Supplier<TransactionParticipant> batchFactory = this::newBatch;
    /**
     * Completed batches ready for the next transaction on any thread: a thread's first transaction
     * allocates nothing and no thread keeps a buffer (see {@link BatchPool}).
     */
    private final BatchPool spareBatches = new BatchPool();
    private final Map<String, byte[]> topicBytes = new ConcurrentHashMap<>();
    /**
     * Serialises close(), which waits for committing transactions and handlers. A {@link ReentrantLock},
     * not {@code synchronized}: a virtual thread closing the queue would otherwise stay pinned to its
     * carrier for that wait on JDK 21 to 23.
     */
    private final ReentrantLock closeLock = new ReentrantLock();
    private volatile boolean closed;
    /** Transactions past their before-commit step whose outcome is not journaled yet. */
    private final AtomicInteger committing = new AtomicInteger();
    /** Set when close() timed out on committing transactions: the last of them finishes the close. */
    private volatile boolean closeDeferred;
    private final AtomicBoolean journalClosed = new AtomicBoolean();

    private DefaultDenormQueue(DenormQueueBuilder builder, Path directory, JournalLock lock, Journal journal,
                               CheckpointFile checkpoint) {
        this.directory = directory;
        this.durability = builder.durability();
        this.flushPolicy = builder.flushPolicy();
        this.binding = builder.transactions();
        this.maxPayloadBytes = builder.maxPayloadBytes();
        this.shutdownTimeout = builder.shutdownTimeout();
        this.lowSpaceWarningBytes = builder.lowSpaceWarningBytes();
        this.lock = lock;
        this.journal = journal;
        this.checkpoint = checkpoint;
        this.errorHandler = new CountingErrorHandler(directory.toString());

        long lastIndexAtOpen = journal.lastIndex();
        CursorsBeyondTheJournal.pullBack(checkpoint, lastIndexAtOpen, directory);
        if (flushPolicy.kind() != FlushPolicy.Kind.NONE) {
            journal.readOnlyDurable();
        }
        JournalRecovery.Result recovery = JournalRecovery.releaseOrphans(journal, checkpoint);
        boolean cursorsLost = checkpoint.wasCreated() && lastIndexAtOpen >= 0;
        if (cursorsLost) {
            LOG.warn("Journal {} holds records but its checkpoint file {} was missing: the handlers' cursors are "
                    + "lost, so every handler is replayed every message still in the journal (re-deliveries, no loss)",
                    directory, checkpoint.file());
        }
        long newHandlerCursor = lastIndexAtOpen < 0 || cursorsLost ? CheckpointDescriptor.NOTHING
                : JournalRecordDescriptor.compose(lastIndexAtOpen, JournalRecordDescriptor.MAX_MESSAGES_PER_BATCH - 1);
        StaleCursors.dropAndWarn(checkpoint, builder.handlers().keySet(), builder.droppedCursors(), directory);
        List<HandlerRunner> runners = HandlerSetup.runners(builder, checkpoint, journal, newHandlerCursor);
        long noHandlerStart = lastIndexAtOpen < 0 ? CheckpointDescriptor.NOTHING : lastIndexAtOpen;
        this.dispatcher = new Dispatcher(journal, checkpoint, builder.ringSize(), runners, noHandlerStart,
                lastIndexAtOpen, builder.rebuilds().keySet(), errorHandler, builder.idleMode() == IdleMode.BUSY_SPIN,
                builder.threadFactory());
        // every check that can refuse this start has passed, and every handler's slot holds where it starts:
        // only now may a checkpoint this start created take its name (until then a failed start leaves it absent)
        checkpoint.install();
        this.dispatcher.start();
        this.flusher = flushPolicy.kind() == FlushPolicy.Kind.PERIODIC
                ? new PeriodicFlusher(journal, flushPolicy.interval(), errorHandler, builder.threadFactory()) : null;
        this.groupFlush = flushPolicy.kind() == FlushPolicy.Kind.EVERY_COMMIT ? new GroupFlush(journal) : null;
        this.retention = new RetentionTask(journal, checkpoint, builder.retention(), errorHandler,
                builder.threadFactory());
        LOG.info("denormq queue started on {}: durability {}, flush {}, idle {}, {} handler(s) {}; recovery scanned {} record(s) "
                        + "and released {} batch(es) without outcome",
                directory, durability, flushPolicy, builder.idleMode(), runners.size(), cursorsOf(runners), recovery.scanned(),
                recovery.released().length);
    }

    static DenormQueue start(DenormQueueBuilder builder) {
        Path directory = JournalDirectory.prepare(builder.journalDir());
        JournalLock lock = JournalLock.acquire(directory);
        Journal journal = null;
        CheckpointFile checkpoint = null;
        try {
            JournalFormat.checkOrCreate(directory, true);
            checkpoint = CheckpointFile.openOrCreate(directory);
            journal = Journal.open(directory, false, builder.clock(), builder.reservedSpaceBytes(),
                    builder.lowSpaceWarningBytes());
            return new DefaultDenormQueue(builder, directory, lock, journal, checkpoint);
        } catch (RuntimeException | Error e) {
            closeQuietly(journal, e);
            closeQuietly(checkpoint, e);
            closeQuietly(lock, e);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable cause) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static Map<String, String> cursorsOf(List<HandlerRunner> runners) {
        Map<String, String> cursors = new LinkedHashMap<>();
        for (HandlerRunner runner : runners) {
            long cursor = runner.storedCursor();
            cursors.put(runner.displayName(), cursor < 0 ? "none" : Long.toHexString(cursor));
        }
        return cursors;
    }

    @Override
    public void publish(String topic, String key, byte[] payload) {
        if (payload == null) {
            throw new InvalidMessageException("payload must not be null (topic '" + topic + "'); publish an empty "
                    + "array for a message without payload");
        }
        publish(topic, key, payload, payload.length);
    }

    @Override
    public <T> void publish(String topic, String key, T value, Codec<T> codec) {
        if (codec == null) {
            throw new InvalidMessageException("codec must not be null (topic '" + topic + "')");
        }
        if (value == null) {
            throw new InvalidMessageException("value must not be null (topic '" + topic + "')");
        }
        byte[] payload = codec.encode(value);
        if (payload == null) {
            throw new InvalidMessageException("codec " + codec + " encoded a value as null (topic '" + topic + "')");
        }
        publish(topic, key, payload, payload.length);
    }

    private void publish(String topic, String key, byte[] payload, int length) {
        if (closed) {
            throw new QueueClosedException("Queue on " + directory + " is closed: cannot publish to topic '" + topic + "'");
        }
        byte[] topicUtf8 = encodeTopic(topic);
        if (length > maxPayloadBytes) {
            throw new InvalidMessageException("payload of " + length + " bytes for topic '" + topic
                    + "' is over the limit of " + maxPayloadBytes + " bytes (DenormQueueBuilder.maxPayloadBytes)");
        }
        TransactionParticipant participant = binding.join(this, batchFactory);
        if (participant == null) {
            publishNow(topicUtf8, key, payload, length);
        } else if (participant instanceof PendingBatch batch && batch.belongsTo(this)) {
            batch.add(topicUtf8, key, payload, 0, length);
        } else {
            throw new IllegalStateException("Transaction binding " + bindingName() + " returned a participant that "
                    + "this queue did not create: it must bind what the factory creates, keyed by the queue");
        }
    }

    private byte[] encodeTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new InvalidMessageException("topic must not be null or empty");
        }
        byte[] bytes = topicBytes.get(topic);
        if (bytes == null) {
            bytes = topic.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > DenormQueueBuilder.MAX_TOPIC_BYTES) {
                throw new InvalidMessageException("topic '" + topic.substring(0, 40) + "...' is " + bytes.length
                        + " UTF-8 bytes, over the limit of " + DenormQueueBuilder.MAX_TOPIC_BYTES);
            }
            if (topicBytes.size() < MAX_CACHED_TOPICS) {
                topicBytes.put(topic, bytes);
            }
        }
        return bytes;
    }

    private void publishNow(byte[] topic, String key, byte[] payload, int length) {
        PendingBatch batch = newBatch();
        try {
            RecordBuffer record = batch.record();
            record.addMessage(topic, key, payload, 0, length);
            record.sealBatch(JournalRecordDescriptor.KIND_RELEASED_BATCH, System.currentTimeMillis());
            appendBatch(record);
            awaitFlushed();
        } finally {
            recycle(batch); // never bound to a transaction: no one else holds it
        }
    }

    private PendingBatch newBatch() {
        PendingBatch batch = spareBatches.take();
        if (batch == null) {
            return new PendingBatch(this, new RecordBuffer(Journal.MAX_RECORD_BYTES));
        }
        batch.reuse();
        return batch;
    }

    /**
     * Takes back a completed batch for the next transaction on any thread, unless its buffer grew
     * large (a huge transaction should not pin memory) or the calling thread is not the one whose
     * transaction it was (see {@link PendingBatch#disown()}). Only completed batches come back, so a
     * batch still open in a suspended transaction is never handed out twice.
     */
    void recycle(PendingBatch batch) {
        if (batch.disown() && batch.record().capacity() <= RECYCLED_BUFFER_MAX_BYTES) {
            spareBatches.offer(batch);
        }
    }

    /**
     * A transaction enters its commit: from here until {@link #transactionCompleted()} the queue
     * keeps its journal open for the transaction's outcome, even while closing.
     *
     * @throws QueueClosedException if the queue is closing, which rolls the transaction back
     */
    void transactionCommitting() {
        committing.incrementAndGet();
        if (closed) {
            transactionCompleted();
            throw new QueueClosedException("Queue on " + directory + " is closing: a transaction cannot start its "
                    + "commit now (it rolls back); publish with the next queue");
        }
    }

    /** The outcome of a committing transaction is journaled (or could not be). */
    void transactionCompleted() {
        if (committing.decrementAndGet() == 0 && closeDeferred) {
            closeJournal();
        }
    }

    /** Appends a record that completes what is journaled: it may use the space reserve. */
    long append(RecordBuffer record) {
        return journal.append(record.array(), record.length());
    }

    /** Appends a new batch, which must leave the space reserve free. */
    long appendBatch(RecordBuffer record) {
        return journal.appendBatch(record.array(), record.length());
    }

    /**
     * Under {@link FlushPolicy#everyCommit()}, returns once a flush that started after every append
     * this thread has made is complete; otherwise at once.
     */
    void awaitFlushed() {
        if (groupFlush != null) {
            groupFlush.awaitFlushed(groupFlush.ticket());
        }
    }

    /** Refuses, before the commit, a batch that could not be journaled after it. */
    void ensureRoomForBatch(RecordBuffer record) {
        journal.ensureRoomForBatch(record.length());
    }

    Journal journal() {
        return journal;
    }

    /** Applies retention now rather than at the next hourly run: for tests. */
    List<Path> applyRetention() {
        return retention.applyNow();
    }

    Durability durability() {
        return durability;
    }

    String bindingName() {
        return binding.getClass().getName();
    }

    @Override
    public boolean awaitProcessed(Duration timeout) throws InterruptedException {
        return dispatcher.awaitProcessed(journal.lastIndex(), timeout);
    }

    @Override
    public List<DeadLetter> deadLetters() {
        if (closed) {
            throw new QueueClosedException("Queue on " + directory + " is closed: cannot list dead letters");
        }
        return Collections.unmodifiableList(DeadLetterRecords.readAll(journal));
    }

    @Override
    public void redrive(DeadLetter deadLetter) {
        DeadLetter unsettled = unsettled(deadLetter, "redrive");
        if (dispatcher.runners().stream().noneMatch(runner -> runner.name().equals(unsettled.handler()))) {
            throw new IllegalStateException("Cannot redrive dead letter " + Long.toHexString(unsettled.journalIndex())
                    + ": its handler '" + unsettled.handler() + "' is not registered with this queue on " + directory
                    + "; register the handler, or discard the dead letter");
        }
        long index = DeadLetterRecords.settle(journal, unsettled.journalIndex(), JournalRecordDescriptor.SETTLED_REDRIVEN);
        LOG.info("Dead letter {} of handler '{}' (message {}) redriven at journal index {}",
                Long.toHexString(unsettled.journalIndex()), unsettled.handler(), Long.toHexString(unsettled.messageId()),
                Long.toHexString(index));
    }

    @Override
    public void discard(DeadLetter deadLetter) {
        DeadLetter unsettled = unsettled(deadLetter, "discard");
        DeadLetterRecords.settle(journal, unsettled.journalIndex(), JournalRecordDescriptor.SETTLED_DISCARDED);
        LOG.info("Dead letter {} of handler '{}' (message {}) discarded", Long.toHexString(unsettled.journalIndex()),
                unsettled.handler(), Long.toHexString(unsettled.messageId()));
    }

    private DeadLetter unsettled(DeadLetter deadLetter, String action) {
        if (deadLetter == null) {
            throw new IllegalArgumentException(action + ": the dead letter must not be null");
        }
        DeadLetter unsettled = DeadLetterRecords.findUnsettled(journal, deadLetter.journalIndex());
        if (unsettled != null) {
            return unsettled;
        }
        throw new IllegalArgumentException("Cannot " + action + " dead letter " + Long.toHexString(deadLetter.journalIndex())
                + " of handler '" + deadLetter.handler() + "': the journal " + directory + " has no unsettled dead letter "
                + "at that index (already redriven or discarded, or from another journal)");
    }

    @Override
    public Map<String, Long> cursors() {
        Map<String, Long> cursors = new LinkedHashMap<>();
        for (HandlerRunner runner : dispatcher.runners()) {
            cursors.put(runner.displayName(), runner.storedCursor());
        }
        return Collections.unmodifiableMap(cursors);
    }

    @Override
    public QueueStats stats() {
        long usable = journal.usableSpace();
        return new QueueStats(directory.toString(), dispatcher.unresolvedBatches(), errorHandler.count(),
                dispatcher.handlerStats(), usable, journal.reserveBytes(), journal.isFull(),
                usable >= 0 && usable < lowSpaceWarningBytes);
    }

    @Override
    public Path journalDirectory() {
        return directory;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            LOG.info("Closing denormq queue on {}: waiting for committing transactions, then draining handlers "
                    + "(timeout {} each)", directory, shutdownTimeout);
            boolean transactionsDone = awaitCommittingTransactions();
            try {
                retention.close();
                dispatcher.close(shutdownTimeout);
                if (flusher != null) {
                    flusher.close();
                }
            } finally {
                Map<String, String> finalCursors = cursorsOf(dispatcher.runners());
                if (transactionsDone) {
                    closeJournal();
                } else {
                    // Another queue on this directory would release their batches while their commits still run:
                    // the journal and its lock stay until the last of them has journaled its outcome.
                    closeDeferred = true;
                    LOG.warn("denormq queue on {}: {} transaction(s) are still committing after {}; the journal stays "
                            + "open and locked until they complete, so that their outcome is journaled and no other "
                            + "queue releases their messages early", directory, committing.get(), shutdownTimeout);
                    if (committing.get() == 0) {
                        closeJournal();
                    }
                }
                LOG.info("denormq queue on {} closed; cursors {}; {} background error(s) during its life", directory,
                        finalCursors, errorHandler.count());
            }
        } finally {
            closeLock.unlock();
        }
    }

    private boolean awaitCommittingTransactions() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        while (committing.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void closeJournal() {
        if (journalClosed.compareAndSet(false, true)) {
            journal.close();
            checkpoint.close();
            lock.close();
        }
    }

    @Override
    public String toString() {
        return "DenormQueue[" + directory + ", " + durability + ", flush " + flushPolicy + (closed ? ", closed" : "") + "]";
    }
}
