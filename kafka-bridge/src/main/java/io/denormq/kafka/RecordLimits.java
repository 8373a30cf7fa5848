package io.denormq.kafka;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * What the producer refuses before it sends a record, checked by the bridge itself in
 * {@code onMessage}: a record the producer would refuse must fail its own message (which the queue
 * retries and dead-letters) whatever state the producer is in. Through a failed producer a record
 * goes unsent and waits for the next re-send round; were it refused only there, every round would
 * fail on it and the bridge would never get past it.
 *
 * <p>The size is Kafka's own upper-bound estimate, computed as {@code KafkaProducer.send} does, so
 * that this refuses every record the producer would.
 *
 * @param maxRequestSize {@code max.request.size}
 * @param bufferMemory   {@code buffer.memory}
 * @param compression    {@code compression.type}
 */
record RecordLimits(int maxRequestSize, long bufferMemory, CompressionType compression) {

    /**
     * @param record       a record about to be sent
     * @param denormqTopic its message's denormq topic, for the error message
     * @throws RecordTooLargeException if the producer would refuse it for its size
     */
    void check(InFlightRecord record, String denormqTopic) {
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, compression, record.key,
                record.value, record.headers);
        if (size > maxRequestSize || size > bufferMemory) {
            String setting = size > maxRequestSize ? "max.request.size (" + maxRequestSize + ")"
                    : "buffer.memory (" + bufferMemory + ")";
            throw new RecordTooLargeException("The record of message " + record.id + " (sequence " + record.sequence
                    + ", denormq topic '" + denormqTopic + "', Kafka topic '" + record.topic + "') is " + size
                    + " bytes when serialized, more than the producer's " + setting + ": Kafka would refuse it. The "
                    + "queue dead-letters it after its retries; raise the setting (and the topic's max.message.bytes) "
                    + "and redrive it");
        }
    }
}
