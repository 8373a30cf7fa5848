package io.denormq;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.denormq.internal.journal.GroupFlush;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.RecordBuffer;
import io.denormq.internal.journal.ReleaseWriter;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionParticipant;

/**
 * Everything {@link DenormQueue#publish} and the transactions need, from the call to the journaled
 * outcome: validation, the transaction-local batch ({@link PendingBatch}, pooled), the journal
 * appends and flushes at commit, and the count of transactions committing, which close waits for.
 * Allocates nothing per message once warm: topics' UTF-8 bytes are cached and batches reused.
 *
 * <p>The queue's superclass rather than an object it calls: {@code publish} stays one call from the
 * application to the batch, and the queue itself is the key its batches are bound under.
 */
abstract class PublishPath implements DenormQueue {
    private static final int MAX_CACHED_TOPICS = 4096;
    private static final int RECYCLED_BUFFER_MAX_BYTES = 64 * 1024;

    private final Path directory;
    private final Durability durability;
    private final TransactionBinding binding;
    private final int maxPayloadBytes;
    /** The default codec for {@link #publish(String, String, Object)}; null if none was set. */
    private final PayloadCodec codec;
    private final Journal journal;
    /** Shares flushes between concurrent commits under {@link FlushPolicy#everyCommit()}; null otherwise. */
    private final GroupFlush groupFlush;
    /** Journals the outcomes of back-to-back WRITE_AHEAD transactions together; null under AFTER_COMMIT. */
    private final ReleaseWriter releaseWriter;
    private final Supplier<TransactionParticipant> batchFactory = this::newBatch;
    /**
     * Completed batches ready for the next transaction on any thread: a thread's first transaction
     * allocates nothing and no thread keeps a buffer (see {@link BatchPool}).
     */
    private final BatchPool spareBatches = new BatchPool();
    private final Map<String, byte[]> topicBytes = new ConcurrentHashMap<>();
    /** Adds headers to every message at publish time; null if none was configured (then nothing is called). */
    private final PublishInterceptor interceptor;
    /** Whether the format marker already allows records with headers (raised once, before the first). */
    private volatile boolean headerFormatMarked;
    private final Object formatLock = new Object();
    private volatile boolean closed;
    /** Transactions past their before-commit step whose outcome is not journaled yet. */
    private final AtomicInteger committing = new AtomicInteger();
    /** Set when close timed out on committing transactions: the last of them runs it, to finish the close. */
    private volatile Runnable afterLastCommit;

    /**
     * @param settings  the checked settings
     * @param directory the journal directory, for messages
     * @param journal   the open journal
     * @param releaseWriter journals the outcomes of back-to-back transactions together; null under AFTER_COMMIT
     */
    PublishPath(QueueSettings settings, Path directory, Journal journal, ReleaseWriter releaseWriter) {
        this.directory = directory;
        this.durability = settings.durability();
        this.binding = settings.transactions();
        this.maxPayloadBytes = settings.maxPayloadBytes();
        this.codec = settings.codec();
        this.interceptor = settings.publishInterceptor();
        this.journal = journal;
        this.groupFlush = settings.flushPolicy().kind() == FlushPolicy.Kind.EVERY_COMMIT ? new GroupFlush(journal) : null;
        this.releaseWriter = releaseWriter;
        if (releaseWriter != null) {
            releaseWriter.onWritten(this::transactionsCompleted);
        }
    }

    @Override
    public final void publish(String topic, String key, byte[] payload) {
        if (payload == null) {
            throw new InvalidMessageException("payload must not be null (topic '" + topic + "'); publish an empty "
                    + "array for a message without payload");
        }
        publish(topic, key, payload, payload.length, null);
    }

    @Override
    public final void publish(String topic, String key, byte[] payload, Headers headers) {
        if (payload == null) {
            throw new InvalidMessageException("payload must not be null (topic '" + topic + "'); publish an empty "
                    + "array for a message without payload");
        }
        publish(topic, key, payload, payload.length, headers);
    }

    @Override
    public final void publish(String topic, String key, Object value, Headers headers) {
        byte[] payload = value instanceof byte[] bytes ? bytes : encode(topic, value);
        publish(topic, key, payload, payload.length, headers);
    }

    @Override
    public final <T> void publish(String topic, String key, T value, Codec<T> codec) {
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
        publish(topic, key, payload, payload.length, null);
    }

    @Override
    public final void publish(String topic, String key, Object value) {
        if (value instanceof byte[] payload) {
            publish(topic, key, payload);
            return;
        }
        byte[] payload = encode(topic, value);
        publish(topic, key, payload, payload.length, null);
    }

    /** Encodes a value with the default codec, for the typed publish calls. */
    private byte[] encode(String topic, Object value) {
        if (value == null) {
            throw new InvalidMessageException("value must not be null (topic '" + topic + "')");
        }
        if (codec == null) {
            throw new ConfigurationException("codec: publishing a " + value.getClass().getName() + " (topic '" + topic
                    + "') needs the queue's default codec, and none was set: set DenormQueueBuilder.codec(...) "
                    + "(for example io.denormq.json.Jackson2Codec.create()), or publish bytes or with a Codec");
        }
        byte[] payload;
        try {
            payload = codec.encode(value);
        } catch (RuntimeException e) {
            throw new InvalidMessageException("codec " + codec + " could not encode a " + value.getClass().getName()
                    + " (topic '" + topic + "'), so nothing was published: " + e.getMessage(), e);
        }
        if (payload == null) {
            throw new InvalidMessageException("codec " + codec + " encoded a " + value.getClass().getName()
                    + " as null (topic '" + topic + "'), so nothing was published");
        }
        return payload;
    }

    private void publish(String topic, String key, byte[] payload, int length, Headers headers) {
        if (closed) {
            throw new QueueClosedException("Queue on " + directory + " is closed: cannot publish to topic '" + topic + "'");
        }
        byte[] topicUtf8 = encodeTopic(topic);
        if (length > maxPayloadBytes) {
            throw new InvalidMessageException("payload of " + length + " bytes for topic '" + topic
                    + "' is over the limit of " + maxPayloadBytes + " bytes (DenormQueueBuilder.maxPayloadBytes)");
        }
        if (interceptor != null) {
            headers = interceptor.onPublish(topic, key, headers == null ? Headers.empty() : headers);
        }
        if (headers != null && !headers.isEmpty() && !headerFormatMarked) {
            markHeaderFormat();
        }
        TransactionParticipant participant = binding.join(this, batchFactory);
        if (participant == null) {
            publishNow(topicUtf8, key, payload, length, headers);
        } else if (participant instanceof PendingBatch batch && batch.belongsTo(this)) {
            batch.add(topicUtf8, key, payload, 0, length, headers);
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

    /**
     * Raises the journal's format marker before the first message with headers is journaled, so that
     * a denormq version that cannot read headers refuses the journal instead of misreading it. Once
     * per queue: later messages with headers cost a volatile read.
     */
    private void markHeaderFormat() {
        synchronized (formatLock) {
            if (!headerFormatMarked) {
                JournalFormat.allowHeaders(directory);
                headerFormatMarked = true;
            }
        }
    }

    private void publishNow(byte[] topic, String key, byte[] payload, int length, Headers headers) {
        PendingBatch batch = newBatch();
        try {
            RecordBuffer record = batch.record();
            record.addMessage(topic, key, payload, 0, length, headers);
            long stamped = recordTime();
            record.sealBatch(JournalRecordDescriptor.KIND_RELEASED_BATCH, stamped);
            appendBatch(record, stamped);
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
        transactionsCompleted(1);
    }

    /** The outcomes of committing transactions are journaled (or could not be). */
    private void transactionsCompleted(int transactions) {
        if (committing.addAndGet(-transactions) == 0) {
            Runnable finishClose = afterLastCommit;
            if (finishClose != null) {
                finishClose.run();
            }
        }
    }

    /**
     * Hands a journaled batch's outcome to the release writer when transactions complete back to
     * back; the writer then counts the transaction completed once the outcome is journaled.
     *
     * @return whether it was handed over; false if the caller must append the outcome itself
     */
    boolean handOverOutcome(byte kind, long batchIndex, byte reason, int messages) {
        return releaseWriter != null && releaseWriter.handOver(kind, batchIndex, reason, messages);
    }

    /** Returns once every outcome handed over before the call is journaled (or failed to be). */
    void awaitHandedOverOutcomes() {
        if (releaseWriter != null) {
            releaseWriter.awaitWritten();
        }
    }

    /**
     * @return the time to stamp a record with that is appended right after: the append then reads
     *         no clock of its own ({@link Journal#currentTimeMillis()})
     */
    long recordTime() {
        return journal.currentTimeMillis();
    }

    /**
     * Appends a record that completes what is journaled: it may use the space reserve.
     *
     * @param stampedTime the time the record was stamped with, from {@link #recordTime()}
     */
    long append(RecordBuffer record, long stampedTime) {
        return journal.append(record.array(), record.length(), stampedTime);
    }

    /**
     * Appends a new batch, which must leave the space reserve free.
     *
     * @param stampedTime the time the batch was stamped with, from {@link #recordTime()}
     */
    long appendBatch(RecordBuffer record, long stampedTime) {
        return journal.appendBatch(record.array(), record.length(), stampedTime);
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

    Durability durability() {
        return durability;
    }

    Path directory() {
        return directory;
    }

    String bindingName() {
        return binding.getClass().getName();
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    /** From now on publishing and commits are refused with {@link QueueClosedException}. */
    void refuseNewWork() {
        closed = true;
    }

    /**
     * Waits for the transactions already committing to journal their outcome.
     *
     * @param timeout how long to wait at most
     * @return whether none is committing any more (false on timeout or interruption)
     */
    boolean awaitCommittingTransactions(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
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

    /** @return how many transactions are committing now */
    int committingTransactions() {
        return committing.get();
    }

    /**
     * Has the last committing transaction run {@code action} once its outcome is journaled. The
     * caller runs it itself if none is committing by then; it may run twice, so it must be idempotent.
     *
     * @param action what finishes the close
     */
    void afterLastCommit(Runnable action) {
        afterLastCommit = action;
    }
}
