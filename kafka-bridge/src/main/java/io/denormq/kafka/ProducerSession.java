package io.denormq.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One producer, used until its first failed send. After a failure the bridge never sends through
 * it again: it closes it at once and re-sends the unacknowledged records, in order, through a new
 * session (a new idempotent producer id). That keeps the one property consumers rely on: within a
 * partition, a record is written only after every earlier record of the partition was written.
 */
final class ProducerSession {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSession.class);

    private final Producer<byte[], byte[]> producer;
    private final int number;
    private final AtomicBoolean failed = new AtomicBoolean();

    ProducerSession(Producer<byte[], byte[]> producer, int number) {
        this.producer = producer;
        this.number = number;
    }

    /**
     * A session whose producer could not be created: it has failed from the start, so that records
     * given to it wait for the bridge's next re-send round.
     */
    static ProducerSession unopened(Exception cause) {
        ProducerSession unopened = new ProducerSession(null, 0);
        unopened.failed.set(true);
        LOG.debug("Kafka producer could not be created", cause);
        return unopened;
    }

    /** Makes what the producer lingers on sendable now and waits until all of it has its outcome. */
    void flush() {
        if (producer != null) {
            producer.flush();
        }
    }

    Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** @return which session of the bridge this is, from 1 */
    int number() {
        return number;
    }

    boolean hasFailed() {
        return failed.get();
    }

    /**
     * Stops the session: closing the producer without waiting aborts every record it still holds, so
     * each one's callback runs (with a failure) and no record of it is sent after this returns. Safe
     * on the producer's I/O thread, where a zero timeout is the only one allowed. It is the only way
     * a session ends (the bridge's close too): a graceful close would go on sending after a failed
     * record, so a failure meanwhile could no longer stop what follows it.
     */
    void fail() {
        if (failed.compareAndSet(false, true)) {
            closeQuietly(Duration.ZERO);
        }
    }

    private void closeQuietly(Duration timeout) {
        if (producer == null) {
            return;
        }
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            LOG.debug("Closing Kafka producer session {} failed", number, e);
        }
    }
}
