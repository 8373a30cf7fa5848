package io.denormq.kafka;

import java.util.List;

import io.denormq.Codec;
import io.denormq.Message;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.Header;

/**
 * One message on its way to Kafka: what its record is made of (kept, so that it can be sent again
 * unchanged), and what became of its latest send. Also the send's callback: the producer's I/O
 * thread sets the outcome and wakes the handler thread if it waits.
 */
final class InFlightRecord implements Callback {
    /** Told, on the producer's I/O thread, of the broker's first acknowledgement of each record. */
    interface FirstAcknowledgement {
        void acknowledged(InFlightRecord record);
    }

    static final int PENDING = 0;
    static final int ACKNOWLEDGED = 1;
    static final int FAILED = 2;

    final String topic;
    /** The message's denormq topic and key, kept for a dead letter. */
    final String messageTopic;
    final String messageKey;
    final byte[] key;
    final byte[] value;
    /** Each send copies them into the producer record's own headers; the size check reads them in place. */
    final Header[] headers;
    final long timestamp;
    final long id;
    final long sequence;
    /** What this record holds in memory, for the in-flight cap; need not be exact. */
    final int bytes;
    private final HandlerWakeup wakeup;
    private final FirstAcknowledgement firstAcknowledgement;
    /** Written by the I/O thread only (one send's outcome at a time): a re-sent copy's acknowledgement is not a first. */
    private volatile boolean everAcknowledged;
    /** Handler thread only: how many sends of this record the broker refused for good. */
    int refusals;
    /** Handler thread only: whether the latest send's refusal was counted in {@link #refusals}. */
    boolean refusalCounted;
    /**
     * The partition of a record without a key, chosen from the message id at its first send and kept
     * for every re-send. Kafka would spread keyless records over partitions afresh each time; a fixed
     * choice keeps a re-sent record in the partition it may already have been written to, which the
     * deduplication rule needs (see {@link DenormqRecordDeduplicator}). Null for keyed records, whose
     * partition Kafka derives from the key.
     */
    private Integer fixedPartition;
    /** The producer session of the latest send; the callback fails it on an asynchronous failure. */
    private volatile ProducerSession session;
    /** Written before {@link #state}, read after it. */
    private volatile Exception failure;
    private volatile int partition = -1;
    private volatile int state = PENDING;

    InFlightRecord(String topic, String messageTopic, String messageKey, byte[] key, byte[] value, Header[] headers,
                   long timestamp, long id, long sequence, int bytes, HandlerWakeup wakeup,
                   FirstAcknowledgement firstAcknowledgement) {
        this.topic = topic;
        this.messageTopic = messageTopic;
        this.messageKey = messageKey;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.timestamp = timestamp;
        this.id = id;
        this.sequence = sequence;
        this.bytes = bytes;
        this.wakeup = wakeup;
        this.firstAcknowledgement = firstAcknowledgement;
    }

    /**
     * Sends (again) through {@code session}; what becomes of the send is then {@link #state()}. A
     * session that already failed is not used: the record is failed at once, to be re-sent with the
     * others, in order, through the next one. Handler thread only, and only once the previous send's
     * outcome is known.
     */
    void send(ProducerSession session) {
        this.session = session;
        this.failure = null;
        this.refusalCounted = false;
        this.state = PENDING;
        if (session.hasFailed()) {
            failUnsent(new IllegalStateException("not sent: an earlier record's send failed"));
            return;
        }
        try {
            if (key == null && fixedPartition == null) {
                fixedPartition = partitionOf(id, session.producer().partitionsFor(topic));
            }
            session.producer().send(new ProducerRecord<>(topic, fixedPartition, timestamp, key, value, java.util.Arrays.asList(headers)), this);
        } catch (RuntimeException e) {
            // thrown rather than given to the callback (no metadata in time, producer closed,
            // interrupted): the same outcome as a failed send
            if (state == PENDING) {
                failUnsent(e);
            }
        }
    }

    /** Spreads keyless records over the partitions by message id: the same id always lands in the same one. */
    static int partitionOf(long id, List<PartitionInfo> partitions) {
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("no partition information for the topic");
        }
        long mixed = id * 0x9E3779B97F4A7C15L;
        return Math.floorMod(Long.hashCode(mixed ^ (mixed >>> 29)), partitions.size());
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (metadata != null && metadata.partition() >= 0) {
            partition = metadata.partition();
        }
        if (exception == null) {
            state = ACKNOWLEDGED;
            if (!everAcknowledged) {
                everAcknowledged = true;
                try {
                    firstAcknowledgement.acknowledged(this);
                } finally {
                    wakeup.signal();
                }
                return;
            }
        } else {
            failure = exception;
            state = FAILED;
            if (!wakeup.isHandlerThread()) {
                // On the producer's I/O thread: stop the session at once, before its sender could give
                // later records of this partition a new producer epoch and write them ahead of this
                // one. A send that failed on the handler thread is dealt with by the bridge.
                ProducerSession current = session;
                if (current != null) {
                    current.fail();
                }
            }
        }
        wakeup.signal();
    }

    /** Marks the record failed without its having reached a producer (no session could be opened). */
    void failUnsent(Exception exception) {
        failure = exception;
        state = FAILED;
    }

    /** @return whether the broker acknowledged some send of this record; read after the outcomes are known */
    boolean everAcknowledged() {
        return everAcknowledged;
    }

    int state() {
        return state;
    }

    Exception failure() {
        return failure;
    }

    /** @return the message this record was made from, as far as a dead letter needs it */
    Message message() {
        return new KeptMessage(this);
    }

    /** @return the partition the record went to, -1 while unknown */
    int partition() {
        Integer fixed = fixedPartition;
        return fixed != null ? fixed : partition;
    }

    /** The message behind a record, rebuilt from what the record keeps. */
    private record KeptMessage(InFlightRecord record) implements Message {
        @Override
        public long id() {
            return record.id;
        }

        @Override
        public long sequence() {
            return record.sequence;
        }

        @Override
        public String topic() {
            return record.messageTopic;
        }

        @Override
        public String key() {
            return record.messageKey;
        }

        @Override
        public byte[] payload() {
            return record.value.clone();
        }

        @Override
        public int payloadLength() {
            return record.value.length;
        }

        @Override
        public <T> T payload(Codec<T> codec) {
            return codec.decode(record.value, 0, record.value.length);
        }

        @Override
        public boolean redelivered() {
            return false;
        }

        @Override
        public long releasedAtMillis() {
            return record.timestamp;
        }

        @Override
        public String toString() {
            return "Message[id=" + record.id + ", sequence=" + record.sequence + ", topic=" + record.messageTopic
                    + ", key=" + record.messageKey + "]";
        }
    }
}
