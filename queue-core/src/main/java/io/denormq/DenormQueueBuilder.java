package io.denormq;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.IntFunction;


import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.Journal;
import io.denormq.tx.ProgrammaticTransactions;
import io.denormq.tx.TransactionBinding;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * Configures and builds a {@link DenormQueue}. Settings are checked once, in {@link #build()}, and
 * the queue keeps a frozen copy of them: changing this builder afterwards, or building another queue
 * with it, leaves a built queue's configuration as it was. Not thread-safe.
 */
public final class DenormQueueBuilder {

    /** The default of {@link #reservedSpace(long)}: 4 MiB, tens of thousands of completion records. */
    public static final long DEFAULT_RESERVED_SPACE_BYTES = Journal.DEFAULT_RESERVE_BYTES;

    /** The default of {@link #lowSpaceWarning(long)}: 256 MiB. */
    public static final long DEFAULT_LOW_SPACE_WARNING_BYTES = Journal.DEFAULT_LOW_SPACE_BYTES;

    /**
     * Default largest payload: 1 MiB. Denormalisation messages carry ids and small deltas; a larger
     * payload usually means a document that belongs in the database, referenced by the message.
     */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
    /**
     * Default ring capacity: 4096 messages in flight between the reader and the handlers, enough to
     * keep the handler threads busy while bounding memory; the journal buffers the rest.
     */
    public static final int DEFAULT_RING_SIZE = 4096;
    /** Default time {@link DenormQueue#close()} gives handlers to drain: long enough for a normal backlog. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Default time a journal cycle file is kept after its day ended, at least: a week of forensics. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** The most partitions one handler can run as. */
    public static final int MAX_PARTITIONS = 64;
    /** The longest topic, in UTF-8 bytes. */
    public static final int MAX_TOPIC_BYTES = 1024;

    private final Path journalDir;
    private Durability durability = Durability.WRITE_AHEAD;
    private FlushPolicy flushPolicy = FlushPolicy.none();
    private TransactionBinding transactions = ProgrammaticTransactions.binding();
    private final Map<String, HandlerSpec> handlers = new LinkedHashMap<>();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private PayloadCodec codec;
    private PublishInterceptor publishInterceptor;
    private HandlerInterceptor handlerInterceptor;
    private int ringSize = DEFAULT_RING_SIZE;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Duration retention = DEFAULT_RETENTION;
    /** Platform daemon threads: a queue left open never keeps the JVM from exiting. */
    private static final ThreadFactory DEFAULT_THREAD_FACTORY = task -> {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        return thread;
    };
    private IdleMode idleMode = IdleMode.BACKOFF;
    private ThreadFactory threadFactory = DEFAULT_THREAD_FACTORY;
    private TimeProvider clock = SystemTimeProvider.CLOCK;
    private long reservedSpaceBytes = DEFAULT_RESERVED_SPACE_BYTES;
    private long lowSpaceWarningBytes = DEFAULT_LOW_SPACE_WARNING_BYTES;
    private final Map<String, Long> rebuilds = new LinkedHashMap<>();
    private final Set<String> droppedCursors = new LinkedHashSet<>();

    DenormQueueBuilder(Path journalDir) {
        this.journalDir = journalDir;
    }

    /**
     * @param durability when batches are journaled; default {@link Durability#WRITE_AHEAD}
     * @return this builder
     */
    public DenormQueueBuilder durability(Durability durability) {
        this.durability = durability;
        return this;
    }

    /**
     * @param flushPolicy when the journal is forced to disk; default {@link FlushPolicy#none()}
     * @return this builder
     */
    public DenormQueueBuilder flush(FlushPolicy flushPolicy) {
        this.flushPolicy = flushPolicy;
        return this;
    }

    /**
     * @param binding how the caller's transaction is found; default {@link ProgrammaticTransactions#binding()}
     * @return this builder
     */
    public DenormQueueBuilder transactions(TransactionBinding binding) {
        this.transactions = binding;
        return this;
    }

    /**
     * Registers a handler. Its name identifies its durable cursor across restarts: renaming a
     * handler makes it a new handler. A handler registered for the first time starts with the
     * messages released after the queue starts.
     *
     * @param name    unique, 1 to {@value CheckpointDescriptor#MAX_NAME_BYTES} UTF-8 bytes
     * @param handler the handler
     * @return this builder
     */
    public DenormQueueBuilder handler(String name, MessageHandler handler) {
        return handler(name, 1, handler == null ? null : partition -> handler);
    }

    /**
     * Registers a handler that runs as {@code partitions} event processors, each on its own thread
     * with its own durable cursor and its own handler instance. A message goes to the partition its
     * key hashes to (messages without a key to partition 0): one key's messages are processed in
     * release order by one thread, different keys in parallel.
     *
     * <p>Changing the number of partitions between runs is safe: every partition then resumes from
     * the lowest cursor of the old ones, so messages some old partition had already processed are
     * delivered again (handlers are idempotent; the transactional handler adapter skips them).
     *
     * @param name       unique, 1 to {@value CheckpointDescriptor#MAX_NAME_BYTES} UTF-8 bytes
     * @param partitions 1 to 64
     * @param factory    makes the handler of partition {@code 0 .. partitions - 1}; called once per partition at build
     * @return this builder
     */
    public DenormQueueBuilder handler(String name, int partitions, IntFunction<MessageHandler> factory) {
        if (name != null && handlers.containsKey(name)) {
            throw new ConfigurationException("handler: the name '" + name + "' is registered twice; names must be unique");
        }
        handlers.put(name, new HandlerSpec(partitions, factory));
        return this;
    }

    /**
     * How long the journal keeps a daily cycle file after its day ended, at least. A file is
     * deleted only once every handler's cursor (retired handlers' included, until
     * {@link #dropCursor dropped}) is past it and past every release of a batch in it (a transaction
     * that spanned midnight UTC), no transaction in it awaits its outcome and it holds no
     * {@link DeadLetter dead letter} that is neither redriven nor discarded, so retention never takes
     * a message a handler has not processed. Files go oldest first: a day that is kept keeps every
     * later one. Rebuilds and
     * {@link #rebuildAfter snapshots} can only replay what is retained. Checked shortly after start,
     * then hourly.
     *
     * @param retention at least zero; default {@link #DEFAULT_RETENTION}
     * @return this builder
     */
    public DenormQueueBuilder retention(Duration retention) {
        this.retention = retention;
        return this;
    }

    /**
     * Creates every thread the queue runs: one reader and one handler thread per handler (partition),
     * a reader for a queue without handlers, the retention task and, under
     * {@link FlushPolicy#periodic}, the flusher. The queue names each thread after creating it
     * ({@code denormq-reader-<handler>}, {@code denormq-handler-<handler>}, {@code denormq-retention},
     * {@code denormq-flusher}) and starts it; the factory decides everything else (daemon status,
     * priority, thread group, context class loader). Use it to run the queue's threads under an
     * application's conventions; these threads run for the queue's whole life, so platform threads are
     * the right kind.
     *
     * @param threadFactory the factory; default: platform daemon threads, so that a queue left open never
     *                      keeps the JVM from exiting
     * @return this builder
     */
    public DenormQueueBuilder threadFactory(ThreadFactory threadFactory) {
        this.threadFactory = threadFactory;
        return this;
    }

    /**
     * @param idleMode how the dispatch threads wait for work; default {@link IdleMode#BACKOFF}
     * @return this builder
     */
    public DenormQueueBuilder idleMode(IdleMode idleMode) {
        this.idleMode = idleMode;
        return this;
    }

    /** The clock that decides the journal's daily cycles; tests move it to make past days. */
    DenormQueueBuilder clock(TimeProvider clock) {
        this.clock = clock;
        return this;
    }

    /**
     * Rebuilds a handler's read model: on this start the handler is delivered every message still
     * retained in the journal, from the earliest, while the other handlers go on from their cursors.
     * The replay runs at full speed and logs its progress. Remove the call once the rebuild is done,
     * or every start replays again.
     *
     * <p>The replay delivers each message once, at its place in release order: a message that was
     * dead-lettered is delivered again (if it still fails, it becomes a new dead letter), and one
     * that was dead-lettered and then {@link DenormQueue#redrive redriven} is delivered at its
     * original place and not again at the redrive, so that a handler keeping the last applied
     * sequence applies it once. A redrive is delivered only when the failure it settled lies before
     * the replay's start (see {@link #rebuildAfter}). Keep the call until the replay is done: if the
     * rebuild is interrupted and the next start is not a rebuild, that start delivers the redrives
     * in the rest of the replay, as any restart does.
     *
     * @param name a handler registered with {@link #handler(String, MessageHandler)}
     * @return this builder
     */
    public DenormQueueBuilder rebuild(String name) {
        return rebuildAfter(name, CheckpointDescriptor.NOTHING);
    }

    /**
     * Rebuilds a handler's read model from a snapshot: on this start the handler is delivered every
     * retained message whose {@link Message#sequence()} is greater than {@code sequence}, the last
     * sequence the snapshot contains. Messages already removed by retention cannot be replayed.
     * Dead-lettered and redriven messages are replayed as by {@link #rebuild}: a redrive is
     * delivered only when the snapshot lacks the message, that is when the snapshot was taken after
     * the failure and before the redrive.
     *
     * @param name     a handler registered with {@link #handler(String, MessageHandler)}
     * @param sequence the last sequence included in the snapshot, -1 for "none"
     * @return this builder
     */
    public DenormQueueBuilder rebuildAfter(String name, long sequence) {
        if (sequence < CheckpointDescriptor.NOTHING) {
            throw new ConfigurationException("rebuildAfter: the sequence of handler '" + name + "' must be -1 or a "
                    + "message sequence, was " + sequence);
        }
        rebuilds.put(name, sequence);
        return this;
    }

    /**
     * Drops the durable cursor of a handler that is no longer registered (a retired read model), so
     * that it no longer appears in {@link DenormQueue#cursors()} nor holds back the journal's
     * retention. A queue warns at start about every cursor without a registered handler.
     *
     * @param name the retired handler's name; must not be registered
     * @return this builder
     */
    public DenormQueueBuilder dropCursor(String name) {
        droppedCursors.add(name);
        return this;
    }

    /**
     * @param retryPolicy how failing handlers are retried; default {@link RetryPolicy#defaults()}
     * @return this builder
     */
    public DenormQueueBuilder retry(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
        return this;
    }

    /**
     * Sets the queue's default codec: {@link DenormQueue#publish(String, String, Object)} encodes
     * values with it and {@link Message#payload(Class)} decodes them, so that an application
     * publishes and reads its event types (records, POJOs) without a {@link Codec} per type.
     * {@code io.denormq.json} has JSON codecs on Jackson 2 and Jackson 3; the Spring Boot
     * auto-configuration sets one from the application's own mapper. Byte-array publishing does not
     * use it and costs the same with or without one.
     *
     * <p>There is no default: without a codec, the typed calls throw {@link ConfigurationException}
     * saying to set one (a queue must not pick a serialisation format that outlives the application's
     * choice of library). The journal does not record which codec wrote a payload: change the codec
     * only to one that reads what the old one wrote.
     *
     * @param codec the codec, thread-safe; null for none
     * @return this builder
     */
    public DenormQueueBuilder codec(PayloadCodec codec) {
        this.codec = codec;
        return this;
    }

    /**
     * Adds an interceptor that gives every published message headers (see {@link PublishInterceptor}):
     * how context such as the current trace travels with messages without each publisher passing it.
     * Interceptors run in the order they were added, each seeing what the previous returned. Without
     * one, publishing calls nothing and costs what it cost before headers existed.
     *
     * @param interceptor the interceptor, thread-safe (every publishing thread calls it)
     * @return this builder
     * @throws ConfigurationException if {@code interceptor} is null
     */
    public DenormQueueBuilder publishInterceptor(PublishInterceptor interceptor) {
        if (interceptor == null) {
            throw new ConfigurationException("publishInterceptor: must not be null");
        }
        PublishInterceptor previous = this.publishInterceptor;
        this.publishInterceptor = previous == null ? interceptor
                : (topic, key, headers) -> {
                    Headers first = previous.onPublish(topic, key, headers);
                    return interceptor.onPublish(topic, key, first == null ? Headers.empty() : first);
                };
        return this;
    }

    /**
     * Adds an interceptor around every handler invocation (see {@link HandlerInterceptor}). With
     * several, the first added is the outermost. Without one, dispatch calls handlers directly and
     * costs what it cost before interceptors existed.
     *
     * @param interceptor the interceptor, thread-safe (every handler thread calls it)
     * @return this builder
     * @throws ConfigurationException if {@code interceptor} is null
     */
    public DenormQueueBuilder handlerInterceptor(HandlerInterceptor interceptor) {
        if (interceptor == null) {
            throw new ConfigurationException("handlerInterceptor: must not be null");
        }
        HandlerInterceptor outer = this.handlerInterceptor;
        this.handlerInterceptor = outer == null ? interceptor
                : (name, message, handler) -> outer.invoke(name, message, m -> interceptor.invoke(name, m, handler));
        return this;
    }

    /**
     * @param maxPayloadBytes the largest payload accepted, 1 byte to 8 MiB; default 1 MiB
     * @return this builder
     */
    public DenormQueueBuilder maxPayloadBytes(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
        return this;
    }

    /**
     * Sets how many released messages may wait between a handler's journal reader and the handler
     * (each handler, and each partition of a partitioned handler, has its own ring). Each slot keeps
     * a buffer for its message's bytes so that dispatching allocates nothing; together a ring's slots
     * keep at most 16 MiB, or 256 bytes per slot for rings over 65 536 (a message larger than its
     * slot's share gets a buffer of its own, dropped afterwards). A larger ring absorbs longer bursts; it does not make a slow handler faster.
     *
     * @param ringSize dispatch ring capacity, a power of two from 64 to 1 048 576; default 4096
     * @return this builder
     */
    public DenormQueueBuilder ringSize(int ringSize) {
        this.ringSize = ringSize;
        return this;
    }

    /**
     * @param shutdownTimeout how long {@link DenormQueue#close()} lets handlers drain; default 30 s
     * @return this builder
     */
    public DenormQueueBuilder shutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
        return this;
    }

    /**
     * Sets the space kept free on the journal's file system for records that complete what is
     * already journaled: the release and rollback records of transactions journaled before their
     * commit, and dead letters. New batches cannot use it, so when the disk fills up new
     * transactions are refused (they roll back with {@link JournalFullException}) while those
     * already journaled still record their outcome. The journal allocates its blocks ahead of
     * the writes, so a full disk never reaches a memory-mapped write.
     *
     * @param bytes the reserve, 64 KiB to 1 GiB; default 4 MiB (tens of thousands of completion records)
     * @return this builder
     */
    public DenormQueueBuilder reservedSpace(long bytes) {
        this.reservedSpaceBytes = bytes;
        return this;
    }

    /**
     * Sets the free space of the journal's file system under which the queue warns: one WARN log
     * when it is crossed (and an INFO when space is back), {@link QueueStats#journalSpaceLow()}
     * true, and the Spring Boot health indicator DOWN.
     *
     * @param bytes the threshold, zero or more; default 256 MiB
     * @return this builder
     */
    public DenormQueueBuilder lowSpaceWarning(long bytes) {
        this.lowSpaceWarningBytes = bytes;
        return this;
    }

    /**
     * Checks the settings, locks the journal directory, recovers what a previous run left (batches
     * without an outcome are released; each handler resumes after its cursor) and starts dispatch.
     *
     * @return the running queue
     * @throws ConfigurationException       if a setting is out of range or the directory is unusable
     * @throws JournalLockedException       if another queue holds the directory
     * @throws IncompatibleJournalException if the journal was written in another format
     */
    public DenormQueue build() {
        return DefaultDenormQueue.start(conclude());
    }

    /**
     * Checks the settings and freezes them: what {@link #build()} starts a queue with. Later changes
     * to this builder do not reach the result.
     *
     * @return the checked settings, an immutable copy
     * @throws ConfigurationException if a setting is out of range
     */
    QueueSettings conclude() {
        validate();
        return new QueueSettings(journalDir, durability, flushPolicy, transactions, handlers, retryPolicy,
                maxPayloadBytes, ringSize, shutdownTimeout, retention, idleMode, threadFactory, clock, reservedSpaceBytes,
                lowSpaceWarningBytes, rebuilds, droppedCursors, codec, publishInterceptor,
                handlerInterceptor);
    }

    private void validate() {
        if (journalDir == null) {
            throw new ConfigurationException("journalDir: must not be null");
        }
        if (durability == null) {
            throw new ConfigurationException("durability: must be WRITE_AHEAD or AFTER_COMMIT, was null");
        }
        if (flushPolicy == null) {
            throw new ConfigurationException("flush: must be FlushPolicy.none(), periodic(Duration) or everyCommit(), was null");
        }
        if (transactions == null) {
            throw new ConfigurationException("transactions: must not be null (the default is ProgrammaticTransactions.binding())");
        }
        if (threadFactory == null) {
            throw new ConfigurationException("threadFactory: must not be null (the default makes platform daemon threads)");
        }
        if (retryPolicy == null) {
            throw new ConfigurationException("retry: must not be null (the default is RetryPolicy.defaults())");
        }
        int maxPayloadLimit = Journal.MAX_RECORD_BYTES - 4096;
        if (maxPayloadBytes < 1 || maxPayloadBytes > maxPayloadLimit) {
            throw new ConfigurationException("maxPayloadBytes: must be 1.." + maxPayloadLimit + ", was " + maxPayloadBytes);
        }
        if (ringSize < 64 || ringSize > (1 << 20) || Integer.bitCount(ringSize) != 1) {
            throw new ConfigurationException("ringSize: must be a power of two from 64 to 1048576, was " + ringSize);
        }
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new ConfigurationException("shutdownTimeout: must be zero or positive, was " + shutdownTimeout);
        }
        if (idleMode == null) {
            throw new ConfigurationException("idleMode: must be BACKOFF or BUSY_SPIN, was null");
        }
        if (retention == null || retention.isNegative()) {
            throw new ConfigurationException("retention: must be zero or positive, was " + retention);
        }
        if (reservedSpaceBytes < (64L << 10) || reservedSpaceBytes > (1L << 30)) {
            throw new ConfigurationException("reservedSpace: must be 65536 (64 KiB) to 1073741824 (1 GiB) bytes, was "
                    + reservedSpaceBytes);
        }
        if (lowSpaceWarningBytes < 0) {
            throw new ConfigurationException("lowSpaceWarning: must be zero or more bytes, was " + lowSpaceWarningBytes);
        }
        if (handlers.size() > CheckpointDescriptor.SLOT_COUNT) {
            throw new ConfigurationException("handler: at most " + CheckpointDescriptor.SLOT_COUNT + " handlers, got "
                    + handlers.size());
        }
        for (String name : rebuilds.keySet()) {
            if (!handlers.containsKey(name)) {
                throw new ConfigurationException("rebuild: '" + name + "' is not a registered handler; register it "
                        + "with handler(name, handler) first (registered: " + handlers.keySet() + ")");
            }
        }
        for (String name : droppedCursors) {
            if (name == null || handlers.containsKey(name)) {
                throw new ConfigurationException("dropCursor: '" + name + "' is a registered handler; only the cursor "
                        + "of a handler that is no longer registered can be dropped");
            }
        }
        int processors = 0;
        for (Map.Entry<String, HandlerSpec> entry : handlers.entrySet()) {
            String name = entry.getKey();
            int partitions = entry.getValue().partitions();
            if (partitions < 1 || partitions > MAX_PARTITIONS) {
                throw new ConfigurationException("handler: '" + name + "' asks for " + partitions + " partitions; 1 to "
                        + MAX_PARTITIONS + " are allowed");
            }
            processors += partitions;
            if (name == null || name.isBlank()) {
                throw new ConfigurationException("handler: a name must not be null or blank");
            }
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > CheckpointDescriptor.MAX_NAME_BYTES) {
                throw new ConfigurationException("handler: the name '" + name + "' is " + bytes + " UTF-8 bytes; at most "
                        + CheckpointDescriptor.MAX_NAME_BYTES + " are allowed");
            }
            if (entry.getValue().factory() == null) {
                throw new ConfigurationException("handler: the handler named '" + name + "' is null");
            }
        }
        if (processors > CheckpointDescriptor.SLOT_COUNT) {
            throw new ConfigurationException("handler: at most " + CheckpointDescriptor.SLOT_COUNT + " handler partitions "
                    + "in all, got " + processors);
        }
    }
}
