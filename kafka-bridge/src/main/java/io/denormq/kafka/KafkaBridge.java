package io.denormq.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.denormq.Message;
import io.denormq.MessageHandler;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * <li>The queue moves this handler's durable cursor past a message only once the broker has
 *     acknowledged its record and every record before it: {@link #onCaughtUp()} returns only then.
 *     A crash (of this process or of the broker) therefore re-sends and never skips.</li>
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
 * returns; {@link #onCaughtUp()}, at the end of each dispatch batch, flushes and waits for the
 * acknowledgements, one round trip per batch rather than per message. Records in flight are capped
 * ({@link KafkaBridgeBuilder#maxInFlightRecords}, {@link KafkaBridgeBuilder#maxInFlightBytes}): at
 * the cap {@code onMessage} waits for the oldest. Each message is copied once (key and payload).
 *
 * <p>A record Kafka refuses outright before sending it (larger than {@code max.request.size}) fails
 * {@code onMessage}: the queue retries it and dead-letters it after its retry policy's last
 * attempt, like any failing handler's message. One the broker refuses (not authorised, larger than
 * the broker's limit) is re-sent with backoff until the cause is fixed, and holds the bridge back
 * meanwhile: the bridge never skips a message on its own.
 *
 * <p>One bridge serves one handler: the queue's thread of that handler calls {@code onMessage} and
 * {@code onCaughtUp} (a partitioned handler needs a bridge per partition, each with its own
 * {@link KafkaBridgeBuilder#source(String) source}). {@link #stats()} and {@link #close()} may be
 * called from any thread.
 */
public final class KafkaBridge implements MessageHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBridge.class);
    /**
     * How long {@link #close()} lets the producer finish what it holds: after the queue closed
     * nothing is in flight, so this only bounds a close made out of order.
     */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Record batch overhead per record and the header names, roughly: the in-flight cap need not be exact. */
    private static final int RECORD_OVERHEAD_BYTES = 128;
    /** More denormq topics than this are routed without remembering the answer. */
    private static final int MAX_REMEMBERED_ROUTES = 10_000;
    private static final long SLEEP_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Function<String, String> topicMapping;
    private final String source;
    private final Header sourceHeader;
    private final Map<String, Object> producerConfig;
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
    private volatile long acknowledged;
    private volatile long resent;
    private volatile long failedRounds;
    private volatile long notForwarded;
    private volatile int inFlightCount;
    private volatile long inFlightBytes;

    KafkaBridge(Function<String, String> topicMapping, String source, Map<String, Object> producerConfig,
                int maxInFlightRecords, long maxInFlightBytes, Duration initialBackoff, Duration maxBackoff) {
        this.topicMapping = topicMapping;
        this.source = source;
        this.sourceHeader = new RecordHeader(DenormqHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8));
        this.producerConfig = producerConfig;
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
     * @throws RecordTooLargeException  if Kafka refuses the record outright (the queue retries, then dead-letters it)
     */
    @Override
    public void onMessage(Message message) throws InterruptedException {
        Route route = route(message.topic());
        if (route == null) {
            notForwarded++;
            return;
        }
        if (closed) {
            holdUntilStopped(message);
        }
        if (wakeup == null) {
            wakeup = new HandlerWakeup(Thread.currentThread());
        } else if (!wakeup.isHandlerThread()) {
            throw new IllegalStateException("This KafkaBridge already serves the handler thread " + wakeup
                    + "; a bridge keeps one handler's records in order: build one per handler, and per partition of a "
                    + "partitioned handler (each with its own source)");
        }
        InFlightRecord record = record(route, message);
        try {
            makeRoomFor(record.bytes);
        } catch (IllegalStateException closedMeanwhile) {
            if (!closed) {
                throw closedMeanwhile;
            }
            holdUntilStopped(message);
        }
        inFlight.addLast(record);
        inFlightCount = inFlight.size();
        inFlightBytes += record.bytes;
        ProducerSession current = session;
        if (current == null) {
            current = openFirstSession();
        }
        record.send(current); // through a failed session it fails unsent, to go out with the re-send, in order
        if (record.state() == InFlightRecord.FAILED) {
            if (record.failure() instanceof RecordTooLargeException refused) {
                inFlight.removeLast();
                inFlightCount = inFlight.size();
                inFlightBytes -= record.bytes;
                throw refused;
            }
            current.fail(); // failed on this thread: nothing later may go out through this producer
        }
    }

    /**
     * Returns once the broker has acknowledged every record sent so far, so that the queue may
     * acknowledge the messages: the records the producer still lingers on are sent at once. A failed
     * send is re-sent with backoff (with every record after it, in order) until acknowledged; this
     * returns only then, or throws, and then the queue acknowledges nothing.
     *
     * @throws InterruptedException  if the queue stops the handler before everything is acknowledged
     * @throws IllegalStateException if the bridge was closed before everything was acknowledged
     */
    @Override
    public void onCaughtUp() throws InterruptedException {
        releaseAcknowledged();
        while (!inFlight.isEmpty()) {
            InFlightRecord oldest = inFlight.peekFirst();
            if (oldest.state() == InFlightRecord.PENDING) {
                flush();
                wakeup.await(oldest);
            }
            if (oldest.state() == InFlightRecord.FAILED) {
                resend(oldest);
            }
            releaseAcknowledged();
        }
    }

    /**
     * @return the bridge's counters; its lag is the queue's, in {@link io.denormq.DenormQueue#stats()}
     */
    public KafkaBridgeStats stats() {
        return new KafkaBridgeStats(acknowledged, resent, failedRounds, notForwarded, inFlightCount, inFlightBytes);
    }

    /** @return the value of the {@value DenormqHeaders#SOURCE} header on this bridge's records */
    public String source() {
        return source;
    }

    /**
     * Closes the producer. Close the queue first: it lets the bridge drain, so that nothing is in
     * flight here. A bridge closed while its queue still runs acknowledges nothing more: what it
     * had not yet had acknowledged is sent again after the next start. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            ProducerSession current = session;
            if (current != null) {
                current.close(CLOSE_TIMEOUT);
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaBridge[source " + source + ", " + producerConfig.get("bootstrap.servers") + (closed ? ", closed" : "")
                + "]";
    }

    private Route route(String denormqTopic) {
        Route route = routes.get(denormqTopic);
        if (route == null && !routes.containsKey(denormqTopic)) {
            String kafkaTopic = topicMapping.apply(denormqTopic);
            route = kafkaTopic == null ? null
                    : new Route(kafkaTopic, new RecordHeader(DenormqHeaders.TOPIC, denormqTopic.getBytes(StandardCharsets.UTF_8)));
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
        RecordHeaders headers = new RecordHeaders(new Header[] {
                new RecordHeader(DenormqHeaders.ID, id),
                new RecordHeader(DenormqHeaders.SEQUENCE, sequence),
                route.topicHeader(),
                sourceHeader});
        int bytes = RECORD_OVERHEAD_BYTES + (key == null ? 0 : key.length) + value.length + id.length + sequence.length
                + route.topicHeader().value().length + sourceHeader.value().length;
        return new InFlightRecord(route.kafkaTopic(), key, value, headers, message.releasedAtMillis(), message.id(),
                message.sequence(), bytes, wakeup);
    }

    /** At the cap, waits for the oldest records (re-sending them if they failed) until one more fits. */
    private void makeRoomFor(int bytes) throws InterruptedException {
        releaseAcknowledged();
        while (!inFlight.isEmpty() && (inFlight.size() >= maxInFlightRecords || inFlightBytes + bytes > maxInFlightBytes)) {
            InFlightRecord oldest = inFlight.peekFirst();
            wakeup.await(oldest);
            if (oldest.state() == InFlightRecord.FAILED) {
                resend(oldest);
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
            acknowledged += released;
            inFlightCount = inFlight.size();
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
    private void resend(InFlightRecord failed) throws InterruptedException {
        while (true) {
            ProducerSession failedSession = session;
            if (failedSession != null) {
                failedSession.fail();
            }
            for (InFlightRecord record : inFlight) {
                wakeup.await(record); // after fail() every callback runs promptly; none may run after the re-send
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

    /** Where one denormq topic's messages go. */
    private record Route(String kafkaTopic, Header topicHeader) {
    }
}
