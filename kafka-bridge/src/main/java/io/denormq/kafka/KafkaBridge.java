package io.denormq.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.ConfigurationException;
import io.denormq.HandlerContext;
import io.denormq.Message;
import io.denormq.MessageHandler;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageHandler} that forwards released messages to Kafka. Register it with the queue
 * like any handler, and close it after the queue:
 *
 * <pre>{@code
 * KafkaBridge bridge = KafkaBridge.builder().bootstrapServers("kafka:9092").topic("order-placed", "orders").build();
 * DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build();
 * ...
 * queue.close();    // drains: everything released is acknowledged by the broker first
 * bridge.close();
 * }</pre>
 *
 * <p><b>Records.</b> Each message becomes one record of the Kafka topic its denormq topic maps to:
 * key = the message key (UTF-8), value = the payload as published, timestamp = when its transaction
 * was released, and the {@link DenormqHeaders} id, sequence, topic and source. Keyed records go to
 * the partition Kafka's default partitioner picks for the key; keyless ones to a partition fixed by
 * the message id.
 *
 * <p><b>Guarantees.</b> At least once, in order per key:
 * <ul>
 * <li>The producer is idempotent ({@code enable.idempotence=true}, {@code acks=all}), so its own
 *     retries neither duplicate nor reorder records.</li>
 * <li>The bridge is an {@link AsyncMessageHandler}: it acknowledges a message to the queue when the
 *     broker has acknowledged its record, and the queue moves this handler's durable cursor past a
 *     message only once that message and every message before it are acknowledged. A crash (of this
 *     process or of the broker) therefore re-sends and never skips.</li>
 * <li>When a send fails (the broker stayed unreachable for {@code delivery.timeout.ms}, or refused
 *     the record) the bridge stops that producer at once, backs off (doubling from the initial to the
 *     maximum backoff, logged at WARN), and re-sends the failed record and every record after it, in
 *     order, through a new producer, until the broker acknowledges them or the queue stops. Commits
 *     and other handlers never wait for it: the backlog stays in the journal and shows as this
 *     handler's lag in {@link io.denormq.DenormQueue#stats()}.</li>
 * <li>Within a Kafka partition a record is written only after every earlier record of the partition.
 *     A re-sent run therefore repeats, in order, records that may already be there: duplicates carry
 *     the same id, sequence, key, value and timestamp as the first copy, at a later offset.
 *     {@link DenormqRecordDeduplicator} drops them.</li>
 * </ul>
 *
 * <p><b>Cost.</b> Sends are pipelined: {@link #onMessage} hands the record to the producer and
 * returns, and the producer's I/O thread acknowledges each message to the queue as the broker
 * acknowledges its record, so sends and acknowledgements overlap across dispatch batches: nothing
 * waits at the end of a batch while sends succeed (after a failed send, {@link #onCaughtUp()} waits
 * until the re-sent records are acknowledged). A record waits in the producer for up to
 * {@code linger.ms} (Kafka's default is 5&nbsp;ms) before it is sent; set it to 0 for the lowest
 * latency at low rates. Records in flight are capped ({@link KafkaBridgeBuilder#maxInFlightRecords},
 * {@link KafkaBridgeBuilder#maxInFlightBytes}): at the cap {@code onMessage} waits for the oldest.
 * Each message is copied once (key and payload).
 *
 * <p>A record Kafka would refuse before sending it (larger than {@code max.request.size} or
 * {@code buffer.memory}), or whose topic mapping gives a name Kafka cannot have, fails
 * {@code onMessage} — checked by the bridge itself, whatever state the producer is in: the queue
 * retries it and dead-letters it after its retry policy's last attempt, like any failing handler's
 * message. One the broker refuses for what the record is (keyless to a compacted topic, a timestamp
 * outside the topic's bounds, larger than the topic's limit) is refused again in every re-send
 * round: once refused in as many rounds as the queue's {@link io.denormq.RetryPolicy} has attempts,
 * it is dead-lettered through the queue ({@link HandlerContext#deadLetter}) with the broker's error,
 * and the records after it go on. One refused for a cause an operator fixes outside the record (not
 * authorised, an unknown topic, the broker unreachable) is re-sent with backoff until the cause is
 * fixed, and holds the bridge back meanwhile: the bridge never skips a message without a dead letter.
 *
 * <p><b>One bridge, one handler partition, one queue start.</b> The queue calls {@link #onStart}
 * when it starts: the bridge binds itself to that handler partition and refuses a second one (of
 * this queue or another), so build one bridge per handler, one per partition of a partitioned
 * handler (in its factory), and a new one for each queue you build. Its
 * {@link KafkaBridgeBuilder#source(String) source} is fixed then, and must not be another open
 * bridge's in this process. {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class KafkaBridge implements AsyncMessageHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBridge.class);
    /**
     * The sources of the bridges of this process that have started and are not closed: two bridges
     * with one source would have the deduplicator drop one's records as the other's re-sends.
     */
    private static final Map<String, KafkaBridge> SOURCES_IN_USE = new ConcurrentHashMap<>();
    /** Record batch overhead per record and the header names, roughly: the in-flight cap need not be exact. */
    private static final int RECORD_OVERHEAD_BYTES = 128;
    /** More denormq topics than this are routed without remembering the answer. */
    private static final int MAX_REMEMBERED_ROUTES = 10_000;
    private static final long SLEEP_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Function<String, String> topicMapping;
    /** The configured source, null for the default (derived from the journal at start). */
    private final String configuredSource;
    /** Set once, by {@link #onStart} or, for a bridge used without a queue, by the first message. */
    private volatile String source;
    private Header sourceHeader;
    /** Which handler of which journal this bridge serves; null until {@link #onStart}. */
    private HandlerContext served;
    /**
     * The queue's acknowledgements, from {@link #onStart}: the producer's I/O thread acknowledges each
     * record there as the broker acknowledges it. Null for a bridge fed without a queue, whose
     * {@link #onCaughtUp()} waits for the broker instead.
     */
    private volatile Acknowledgements acks;
    private final Map<String, Object> producerConfig;
    private final RecordLimits limits;
    private final int maxInFlightRecords;
    private final long maxInFlightBytes;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;

    /** Handler thread only. */
    private final Map<String, Route> routes = new HashMap<>();
    /** Handler thread only: sent and not yet released to the cursor, oldest first. */
    private final ArrayDeque<InFlightRecord> inFlight = new ArrayDeque<>();
    private HandlerWakeup wakeup;
    /** Failed rounds since the broker last acknowledged anything. */
    private int consecutiveFailures;
    private boolean warnedClosed;

    private final Object lifecycle = new Object();
    /** The producer in use; replaced, under {@link #lifecycle}, after a failed send. Null until the first message. */
    private volatile ProducerSession session;
    private int sessionsOpened;
    private volatile boolean closed;

    // Written by the handler thread only, read by stats() from any thread.
    private volatile long resent;
    private volatile long failedRounds;
    private volatile long notForwarded;
    /** Handler thread only: the bytes of the records held in {@link #inFlight}, for the cap. */
    private long inFlightBytes;
    // What is unacknowledged is what the handler thread counted in (sent, less what left unacknowledged)
    // less what the producer's I/O thread counted out (acknowledged once each). One writing thread per
    // counter: a counter both threads changed per record moved its cache line between the cores twice.
    private volatile long countedInRecords;
    private volatile long countedInBytes;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong acknowledgedBytes = new AtomicLong();
    /** One instance for every record: a method reference per record would allocate. */
    private final InFlightRecord.FirstAcknowledgement firstAcknowledgement = this::firstAcknowledged;

    KafkaBridge(Function<String, String> topicMapping, String source, Map<String, Object> producerConfig,
                RecordLimits limits, int maxInFlightRecords, long maxInFlightBytes, Duration initialBackoff,
                Duration maxBackoff) {
        this.topicMapping = topicMapping;
        this.configuredSource = source;
        this.producerConfig = producerConfig;
        this.limits = limits;
        this.maxInFlightRecords = maxInFlightRecords;
        this.maxInFlightBytes = maxInFlightBytes;
        this.initialBackoffNanos = initialBackoff.toNanos();
        this.maxBackoffNanos = maxBackoff.toNanos();
    }

    /**
     * @return a builder; {@link KafkaBridgeBuilder#bootstrapServers(String)} and a topic mapping are required
     */
    public static KafkaBridgeBuilder builder() {
        return new KafkaBridgeBuilder();
    }

    /**
     * Sends the message's record without waiting for the broker (unless the in-flight cap is reached:
     * then it waits for the oldest record), or passes over a message whose topic maps to no Kafka
     * topic. The key and payload are copied.
     *
     * @throws InterruptedException     if the queue stops the handler while it waits
     * @throws RecordTooLargeException  if Kafka would refuse the record before sending it, larger than
     *                                  {@code max.request.size} or {@code buffer.memory}: checked whatever the
     *                                  producer's state (the queue retries, then dead-letters it)
     * @throws InvalidTopicException    if the topic mapping gives a name Kafka cannot have (the queue retries, then dead-letters it)
     */
    @Override
    public void onMessage(Message message) throws InterruptedException {
        Route route = route(message.topic());
        if (route == null) {
            notForwarded++;
            Acknowledgements queue = acks;
            if (queue != null) {
                queue.acknowledge(message.sequence()); // nothing to wait for
            }
            return;
        }
        if (route.invalidName() != null) {
            throw new InvalidTopicException(route.invalidName());
        }
        if (closed) {
            holdUntilStopped(message);
        }
        if (sourceHeader == null) {
            useConfiguredSource();
        }
        if (wakeup == null) {
            wakeup = new HandlerWakeup(Thread.currentThread());
        } else if (!wakeup.isHandlerThread()) {
            throw new IllegalStateException("This KafkaBridge already serves the handler thread " + wakeup
                    + "; a bridge keeps one handler's records in order: build one per handler, and per partition of a "
                    + "partitioned handler (each with its own source)");
        }
        InFlightRecord record = record(route, message);
        limits.check(record, message.topic()); // whatever the producer's state: a refused record must not enter the in-flight run
        try {
            makeRoomFor(record.bytes);
        } catch (IllegalStateException closedMeanwhile) {
            if (!closed) {
                throw closedMeanwhile;
            }
            holdUntilStopped(message);
        }
        inFlight.addLast(record);
        inFlightBytes += record.bytes;
        countIn(1, record.bytes);
        ProducerSession current = session;
        if (current == null) {
            current = openFirstSession();
        }
        record.send(current); // through a failed session it fails unsent, to go out with the re-send, in order
        if (record.state() == InFlightRecord.FAILED) {
            if (record.failure() instanceof RecordTooLargeException refused) {
                inFlight.removeLast();
                inFlightBytes -= record.bytes;
                forgetUnacknowledged(record);
                throw refused;
            }
            current.fail(); // failed on this thread: nothing later may go out through this producer
        }
    }

    /**
     * Binds the bridge to the one handler partition it serves and fixes its
     * {@value DenormqHeaders#SOURCE}: the {@link KafkaBridgeBuilder#source(String) configured source}
     * or, by default, {@code <journal id>/<handler name>}; for a partitioned handler followed by
     * {@code #<partition>/<partition count>}, so that the writers of one partition count are never
     * confused with those of another (a change of the count moves keys between partitions). Creates
     * the Kafka producer, which connects in the background: the queue's start does not wait for the
     * broker, and a producer that cannot be created (no bootstrap address resolves) is logged and
     * retried by the first re-send round, as for a failed send.
     *
     * @param context the journal, handler and partition, from the queue
     * @throws ConfigurationException if the bridge already serves a handler (of this or another
     *                                queue), was closed, or another open bridge of this process has the same source
     */
    @Override
    public void onStart(HandlerContext context) {
        synchronized (lifecycle) {
            String handler = "handler '" + context.handlerName() + "' partition " + context.partition() + " of "
                    + context.partitionCount();
            if (closed) {
                throw new ConfigurationException(handler + ": this KafkaBridge was closed; build a new bridge for a new queue");
            }
            if (served != null) {
                throw new ConfigurationException(handler + ": this KafkaBridge already serves " + describe(served)
                        + ". A bridge keeps the records of one handler partition in order, for one queue start: build one "
                        + "bridge per handler, one per partition of a partitioned handler (in its factory), and a new one "
                        + "for each queue start");
            }
            String base = configuredSource != null ? configuredSource : context.journalId() + "/" + context.handlerName();
            String resolved = context.partitionCount() > 1
                    ? base + "#" + context.partition() + "/" + context.partitionCount() : base;
            KafkaBridge other = SOURCES_IN_USE.putIfAbsent(resolved, this);
            if (other != null) {
                throw new ConfigurationException("source: '" + resolved + "' for " + handler + " is already the source of "
                        + "another open KafkaBridge of this process (serving " + describe(other.served) + "). A consumer "
                        + "deduplicates per source, so two writers with one source would have one's records dropped as "
                        + "the other's re-sends: leave source unset (the default is the journal's identity and the "
                        + "handler's name) or give each bridge its own, and close a bridge before another takes its source");
            }
            served = context;
            acks = context.acknowledgements();
            setSource(resolved);
        }
        if (session == null) {
            // connect while the queue starts, not on the first message: the producer's set-up (its threads,
            // the broker's producer id) would otherwise fall on the first commit's way to the broker
            openFirstSession();
        }
    }

    /**
     * Served by a queue, the bridge's messages are acknowledged as the broker acknowledges their
     * records (from the producer's I/O thread), so this does not wait while sends succeed: it drops
     * the acknowledged records it holds and returns. After a failed send (and for a bridge fed
     * without a queue, always) it returns once the broker has acknowledged every record sent so far:
     * the records the producer still lingers on are sent at once, and a failed send is re-sent with
     * backoff (with every record after it, in order) until acknowledged. The queue calls this at the
     * end of each dispatch batch and, while records are unacknowledged, about every millisecond when
     * idle, so a failure is acted on without waiting for the next message.
     *
     * @throws InterruptedException  if the queue stops the handler before everything is acknowledged
     * @throws IllegalStateException if the bridge was closed before everything was acknowledged
     */
    @Override
    public void onCaughtUp() throws InterruptedException {
        releaseAcknowledged();
        ProducerSession current = session;
        if (acks != null && (current == null || !current.hasFailed())) {
            return; // the acknowledgements reach the queue from the producer's I/O thread
        }
        while (!inFlight.isEmpty()) {
            InFlightRecord oldest = inFlight.peekFirst();
            if (oldest.state() == InFlightRecord.PENDING) {
                flush();
                wakeup.await(oldest);
            }
            if (oldest.state() == InFlightRecord.FAILED) {
                resend();
            }
            releaseAcknowledged();
        }
    }

    /**
     * @return the bridge's counters; its lag is the queue's, in {@link io.denormq.DenormQueue#stats()}
     */
    public KafkaBridgeStats stats() {
        // acknowledgements first: a record is counted in before it is sent, so the difference is never negative
        long acknowledgedRecords = acknowledged.get();
        long acknowledgedBytesNow = acknowledgedBytes.get();
        return new KafkaBridgeStats(acknowledgedRecords, resent, failedRounds, notForwarded,
                (int) (countedInRecords - acknowledgedRecords), countedInBytes - acknowledgedBytesNow);
    }

    /**
     * At most as many messages unacknowledged as records may be in flight: the bridge's own cap
     * ({@link KafkaBridgeBuilder#maxInFlightRecords}) is reached first, in {@link #onMessage}.
     *
     * @return the in-flight record cap, within what a queue accepts
     */
    @Override
    public int maxInFlight() {
        return Math.min(maxInFlightRecords, AsyncMessageHandler.MAX_IN_FLIGHT_LIMIT);
    }

    /**
     * The broker acknowledged a record for the first time (on the producer's I/O thread): the queue
     * may count its message as done once every message before it is done too. A re-sent copy's
     * acknowledgement changes nothing.
     */
    private void firstAcknowledged(InFlightRecord record) {
        acknowledged.incrementAndGet();
        acknowledgedBytes.addAndGet(record.bytes);
        Acknowledgements queue = acks;
        if (queue != null) {
            queue.acknowledge(record.sequence);
        }
    }

    /** A record leaves the bridge without the broker's acknowledgement (dead-lettered, or refused before sending). */
    private void forgetUnacknowledged(InFlightRecord record) {
        if (!record.everAcknowledged()) {
            countIn(-1, -record.bytes);
        }
    }

    /** Handler thread only (the one writer of both counters). */
    private void countIn(int records, long bytes) {
        countedInRecords = countedInRecords + records;
        countedInBytes = countedInBytes + bytes;
    }

    /**
     * @return the value of the {@value DenormqHeaders#SOURCE} header on this bridge's records: fixed
     *         when its queue starts ({@link #onStart}); before that the configured source, or null for the default
     */
    public String source() {
        String fixed = source;
        return fixed != null ? fixed : configuredSource;
    }

    /**
     * Closes the producer at once, aborting what it still holds, and frees the bridge's source for
     * another bridge. Close the queue first: it lets the bridge drain, so that nothing is in flight
     * here. A bridge closed while its queue still runs acknowledges nothing more, and sends nothing
     * more: what it had not yet had acknowledged is sent again, in order, after the next start (a
     * graceful close would instead go on sending behind a record that fails meanwhile, which the
     * deduplicator would then take the re-send of for a duplicate). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            String fixed = source;
            if (fixed != null) {
                SOURCES_IN_USE.remove(fixed, this);
            }
            ProducerSession current = session;
            if (current != null) {
                current.fail();
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaBridge[source " + source() + ", " + producerConfig.get("bootstrap.servers") + (closed ? ", closed" : "")
                + "]";
    }

    private Route route(String denormqTopic) {
        Route route = routes.get(denormqTopic);
        if (route == null && !routes.containsKey(denormqTopic)) {
            String kafkaTopic = topicMapping.apply(denormqTopic);
            String invalid = kafkaTopic == null || KafkaBridgeBuilder.isValidTopicName(kafkaTopic) ? null
                    : "The topic mapping gives '" + kafkaTopic + "' for denormq topic '" + denormqTopic + "', which is not "
                            + "a valid Kafka topic name (" + KafkaBridgeBuilder.TOPIC_NAME_RULE + "): the queue dead-letters "
                            + "its messages after their retries; fix the mapping, restart and redrive them";
            route = kafkaTopic == null ? null
                    : new Route(kafkaTopic, new RecordHeader(DenormqHeaders.TOPIC, denormqTopic.getBytes(StandardCharsets.UTF_8)),
                            invalid);
            if (routes.size() < MAX_REMEMBERED_ROUTES) {
                routes.put(denormqTopic, route);
            }
        }
        return route;
    }

    private InFlightRecord record(Route route, Message message) {
        String messageKey = message.key();
        byte[] key = messageKey == null ? null : messageKey.getBytes(StandardCharsets.UTF_8);
        byte[] value = message.payload();
        byte[] id = DenormqHeaders.decimal(message.id());
        byte[] sequence = DenormqHeaders.decimal(message.sequence());
        long originalSequence = message.originalSequence();
        Header[] fields = originalSequence == message.sequence()
                ? new Header[] {new RecordHeader(DenormqHeaders.ID, id), new RecordHeader(DenormqHeaders.SEQUENCE, sequence),
                        route.topicHeader(), sourceHeader}
                : new Header[] {new RecordHeader(DenormqHeaders.ID, id), new RecordHeader(DenormqHeaders.SEQUENCE, sequence),
                        route.topicHeader(), sourceHeader,
                        new RecordHeader(DenormqHeaders.REDRIVE_OF, DenormqHeaders.decimal(originalSequence))};
        int bytes = RECORD_OVERHEAD_BYTES + (key == null ? 0 : key.length) + value.length + id.length + sequence.length
                + route.topicHeader().value().length + sourceHeader.value().length;
        io.denormq.Headers published = message.headers();
        if (!published.isEmpty()) {
            Header[] all = new Header[published.size() + fields.length];
            int at = 0;
            for (int i = 0; i < published.size(); i++) {
                String name = published.name(i);
                if (!name.startsWith(DenormqHeaders.RESERVED_PREFIX)) { // the bridge's own headers are not overridden
                    byte[] headerValue = published.value(i).getBytes(StandardCharsets.UTF_8);
                    all[at++] = new RecordHeader(name, headerValue);
                    bytes += name.getBytes(StandardCharsets.UTF_8).length + headerValue.length;
                }
            }
            System.arraycopy(fields, 0, all, at, fields.length);
            fields = at + fields.length == all.length ? all : java.util.Arrays.copyOf(all, at + fields.length);
        }
        // no RecordHeaders here: every ProducerRecord copies its headers anyway, so it would be a second copy
        return new InFlightRecord(route.kafkaTopic(), message.topic(), messageKey, key, value, fields,
                message.releasedAtMillis(), message.id(), message.sequence(), bytes, wakeup, firstAcknowledgement);
    }

    /** At the cap, waits for the oldest records (re-sending them if they failed) until one more fits. */
    private void makeRoomFor(int bytes) throws InterruptedException {
        releaseAcknowledged();
        while (!inFlight.isEmpty() && (inFlight.size() >= maxInFlightRecords || inFlightBytes + bytes > maxInFlightBytes)) {
            InFlightRecord oldest = inFlight.peekFirst();
            wakeup.await(oldest);
            if (oldest.state() == InFlightRecord.FAILED) {
                resend();
            }
            releaseAcknowledged();
        }
    }

    /** Drops the acknowledged records at the head: the ones the queue may now acknowledge. */
    private void releaseAcknowledged() {
        InFlightRecord oldest;
        long released = 0;
        while ((oldest = inFlight.peekFirst()) != null && oldest.state() == InFlightRecord.ACKNOWLEDGED) {
            inFlight.pollFirst();
            inFlightBytes -= oldest.bytes;
            released++;
        }
        if (released > 0) {
            if (consecutiveFailures > 0) {
                LOG.info("Kafka acknowledges records again (after {} failed round(s)); {} record(s) still in flight",
                        consecutiveFailures, inFlight.size());
                consecutiveFailures = 0;
            }
        }
    }

    /**
     * The oldest record failed: stop the producer, wait until every record sent through it has its
     * outcome, back off, and send every record still held again, in order, through a new producer.
     * Records acknowledged after the failed one are sent again too, so that a re-sent run is always
     * an in-order repeat and never lets a later record of a partition precede an earlier one.
     */
    private void resend() throws InterruptedException {
        while (true) {
            ProducerSession failedSession = session;
            if (failedSession != null) {
                failedSession.fail();
            }
            for (InFlightRecord record : inFlight) {
                wakeup.await(record); // after fail() every callback runs promptly; none may run after the re-send
            }
            deadLetterRefused();
            InFlightRecord failed = firstFailed();
            if (failed == null) {
                // what failed was dead-lettered, the rest acknowledged: nothing to re-send, a new producer for what follows
                openSessionAfterDeadLetters();
                return;
            }
            consecutiveFailures++;
            failedRounds++;
            long backoffNanos = backoffNanos(consecutiveFailures);
            Exception cause = failed.failure();
            LOG.warn("Kafka did not acknowledge the record of sequence {} (topic {}, partition {}); re-sending it and "
                            + "the {} record(s) after it through a new producer in {} ms (failed round {} in a row), the "
                            + "handler's cursor staying before it meanwhile. Cause: {}",
                    failed.sequence, failed.topic, failed.partition() < 0 ? "unknown" : failed.partition(),
                    inFlight.size() - 1, TimeUnit.NANOSECONDS.toMillis(backoffNanos), consecutiveFailures,
                    String.valueOf(cause)); // one line per round: the cause says what happened, a stack trace would not
            sleep(backoffNanos);
            ProducerSession next;
            try {
                next = openSession();
            } catch (KafkaException e) {
                failed.failUnsent(e);
                continue;
            }
            for (InFlightRecord record : inFlight) {
                record.send(next);
                if (record.state() == InFlightRecord.FAILED) {
                    next.fail(); // the rest fail unsent and wait for the next round, in order
                }
            }
            resent += inFlight.size();
            return;
        }
    }

    /**
     * A record the broker refuses for good (whatever the bridge does: keyless to a compacted topic,
     * a timestamp outside the topic's bounds, larger than the topic's limit) is refused again in
     * every round; once it was refused in as many rounds as the queue's retry policy has attempts,
     * it is dead-lettered through the queue, with the broker's error, and the rest are re-sent
     * without it. Nothing later in its partition was written meanwhile (the producer stopped at its
     * failure), so the re-sent run stays in order and the deduplicator drops nothing it never saw.
     */
    private void deadLetterRefused() {
        HandlerContext context = served;
        if (context == null) {
            return; // fed without a queue: nowhere to dead-letter, it is re-sent until the cause is fixed
        }
        int maxAttempts = context.retryPolicy().maxAttempts();
        for (Iterator<InFlightRecord> records = inFlight.iterator(); records.hasNext();) {
            InFlightRecord record = records.next();
            if (record.state() != InFlightRecord.FAILED || record.refusalCounted || !refusedForGood(record.failure())) {
                continue;
            }
            record.refusalCounted = true;
            if (++record.refusals < maxAttempts) {
                continue;
            }
            context.deadLetter(record.message(), record.refusals, record.failure()); // the queue's acknowledgement too
            records.remove();
            inFlightBytes -= record.bytes;
            forgetUnacknowledged(record);
        }
    }

    /** Errors with which the broker refuses a record for what it is: sending it again changes nothing. */
    static boolean refusedForGood(Exception failure) {
        return failure instanceof InvalidRecordException || failure instanceof InvalidTimestampException
                || failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException
                || failure instanceof InvalidTopicException;
    }

    private InFlightRecord firstFailed() {
        for (InFlightRecord record : inFlight) {
            if (record.state() == InFlightRecord.FAILED) {
                return record;
            }
        }
        return null;
    }

    private void openSessionAfterDeadLetters() {
        try {
            openSession();
        } catch (KafkaException e) {
            LOG.debug("Kafka producer could not be created; the next record goes out with a re-send round", e);
        }
    }

    private long backoffNanos(int failures) {
        long backoff = initialBackoffNanos;
        for (int i = 1; i < failures && backoff < maxBackoffNanos; i++) {
            backoff *= 2;
        }
        return Math.min(backoff, maxBackoffNanos);
    }

    private void sleep(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            requireOpen();
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, SLEEP_SLICE_NANOS));
        }
        requireOpen();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("The KafkaBridge was closed with " + inFlight.size() + " record(s) not "
                    + "acknowledged by Kafka; the queue acknowledges none of them, and they are sent again after the next start");
        }
    }

    /** Makes what the producer lingers on sendable now and waits for it: the queue is waiting for these acknowledgements. */
    private void flush() throws InterruptedException {
        try {
            session.flush();
        } catch (InterruptException e) {
            Thread.interrupted(); // Kafka's exception set the flag again; the queue is stopping this thread
            throw new InterruptedException("interrupted while waiting for Kafka to acknowledge " + inFlight.size()
                    + " record(s)");
        } catch (RuntimeException e) {
            // a closed or failed producer: the records' own outcomes say what to do
            LOG.debug("Kafka producer flush failed", e);
        }
    }

    /**
     * Opens the first producer. If it cannot be made (no bootstrap address resolves yet, the bridge
     * was closed), the bridge goes on with a session that has failed already: records fail unsent
     * and are sent, in order, by the first re-send round.
     */
    private ProducerSession openFirstSession() {
        try {
            return openSession();
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("Kafka bridge (source {}) could not create its producer: {}", source, e.toString());
            ProducerSession unopened = ProducerSession.unopened(e);
            session = unopened;
            return unopened;
        }
    }

    private ProducerSession openSession() {
        synchronized (lifecycle) {
            requireOpen();
            ProducerSession opened = new ProducerSession(new KafkaProducer<byte[], byte[]>(producerConfig), ++sessionsOpened);
            session = opened;
            if (sessionsOpened == 1) {
                LOG.info("Kafka bridge (source {}) connecting to {}", source, producerConfig.get("bootstrap.servers"));
            }
            return opened;
        }
    }

    /**
     * The bridge was closed while the queue still delivers to it. Returning would let the queue
     * acknowledge a message that was never sent, and throwing would have it dead-lettered: hold the
     * handler until the queue stops it.
     */
    private void holdUntilStopped(Message message) throws InterruptedException {
        if (!warnedClosed) {
            warnedClosed = true;
            LOG.warn("The KafkaBridge was closed while its queue still runs: it holds message {} and acknowledges "
                    + "nothing more until the queue stops (close the queue before the bridge)", message);
        }
        while (!Thread.interrupted()) {
            LockSupport.parkNanos(this, SLEEP_SLICE_NANOS);
        }
        throw new InterruptedException("the queue stopped a closed KafkaBridge");
    }

    private void setSource(String resolved) {
        source = resolved;
        sourceHeader = new RecordHeader(DenormqHeaders.SOURCE, resolved.getBytes(StandardCharsets.UTF_8));
    }

    /** A bridge fed without a queue (no {@link #onStart}) can only use a configured source. */
    private void useConfiguredSource() {
        synchronized (lifecycle) {
            if (configuredSource == null) {
                throw new IllegalStateException("This KafkaBridge has no source: its default is derived from the journal "
                        + "of the queue it is registered with, when that queue starts (onStart). Register it with a "
                        + "DenormQueue, or set source(..)");
            }
            setSource(configuredSource);
        }
    }

    private static String describe(HandlerContext context) {
        return context == null ? "no queue (fed directly)" : "handler '" + context.handlerName() + "' partition "
                + context.partition() + " of " + context.partitionCount() + " of journal " + context.journalId();
    }

    /**
     * Where one denormq topic's messages go.
     *
     * @param invalidName why the mapped name cannot be a Kafka topic, null if it can
     */
    private record Route(String kafkaTopic, Header topicHeader, String invalidName) {
    }
}
