package io.denormq.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Tells a consumer which records of a {@link KafkaBridge} are re-sends of records it has already
 * seen, so that it can drop them.
 *
 * <p><b>The rule.</b> Per Kafka topic, partition and {@value DenormqHeaders#SOURCE}, keep the highest
 * {@value DenormqHeaders#SEQUENCE} seen; a record whose sequence is at or below it is a duplicate.
 * It is right because of what the bridge guarantees about one source's records in one partition:
 * <ol>
 * <li>sequences increase in the order the bridge first sends records (release order);</li>
 * <li>a record is written only after every earlier record of the partition (the idempotent producer
 *     keeps a producer's records in order, and the bridge stops a producer at its first failed send
 *     and re-sends from the oldest unacknowledged record, in order, through a new one);</li>
 * <li>a record always goes to the same partition: by its key, or, without a key, by its message id.</li>
 * </ol>
 * So the first copy of each record arrives after the first copies of all records with lower
 * sequences, and anything at or below the highest sequence seen is a copy. Re-sends after a crash
 * restart from the last record the queue acknowledged, and so repeat a range that was already
 * written: the rule drops all of them.
 *
 * <p><b>Conditions.</b> It holds for one source per Kafka partition writer, kept across restarts.
 * The bridge's default {@link KafkaBridgeBuilder#source(String) source} gives that without
 * configuration: the journal's identity and the handler's name, plus the partition and partition
 * count for a partitioned handler; two open bridges of one process with one source are refused.
 * It does not survive a change of the topic's partition count while records are being re-sent (keys
 * move to other partitions), nor a change of a denormq topic's mapping while its records await a
 * re-send: after such a change, deduplicate by {@value DenormqHeaders#ID} instead. Consume each
 * partition in offset order, as Kafka consumers do.
 *
 * <p><b>Not for compacted topics.</b> Compaction removes first copies: a re-sent copy of an older
 * record can survive as its key's only record behind a higher sequence of the same source, and this
 * rule would drop it, leaving the consumer without a value for that key. On a compacted topic keep
 * the highest {@value DenormqHeaders#SEQUENCE} per key instead (apply a record only if its sequence
 * is higher than the one applied for its key).
 *
 * <p><b>Across consumer restarts.</b> The highest sequences live in this object. A consumer that
 * restarts from committed offsets can receive a duplicate of a record it processed before the
 * commit; to drop that one too, store {@link #highestSequence} with the consumer's own state (in
 * the same transaction as its effects) and {@link #restore} it when partitions are assigned.
 * Records without denormq headers are never called duplicates.
 *
 * <p>Not thread-safe: use one per consumer (Kafka consumers are single-threaded too). It does not
 * allocate for a record of the same partition and source as the previous one.
 */
public final class DenormqRecordDeduplicator {
    private final Map<Stream, long[]> highest = new HashMap<>();
    private long duplicates;
    private long accepted;
    // The previous record's stream: consecutive records usually share it.
    private String lastTopic;
    private int lastPartition = -1;
    private byte[] lastSource;
    private long[] lastHighest;

    /**
     * Decides whether {@code record} is a re-send of one already seen, and remembers it if not.
     *
     * @param record a record as consumed, in offset order within its partition
     * @return true if it is a duplicate: drop it
     */
    public boolean isDuplicate(ConsumerRecord<?, ?> record) {
        Headers headers = record.headers();
        Header sequenceHeader = headers.lastHeader(DenormqHeaders.SEQUENCE);
        long sequence = sequenceHeader == null ? DenormqHeaders.INVALID : DenormqHeaders.parseDecimal(sequenceHeader.value());
        if (sequence == DenormqHeaders.INVALID) {
            accepted++;
            return false; // not a bridge's record
        }
        Header sourceHeader = headers.lastHeader(DenormqHeaders.SOURCE);
        byte[] source = sourceHeader == null || sourceHeader.value() == null ? new byte[0] : sourceHeader.value();
        long[] slot = slot(record.topic(), record.partition(), source);
        if (sequence <= slot[0]) {
            duplicates++;
            return true;
        }
        slot[0] = sequence;
        accepted++;
        return false;
    }

    /**
     * @param topic     a Kafka topic
     * @param partition one of its partitions
     * @param source    a bridge's source (the {@value DenormqHeaders#SOURCE} header)
     * @return the highest sequence accepted from that source in that partition, if any
     */
    public OptionalLong highestSequence(String topic, int partition, String source) {
        long[] slot = highest.get(new Stream(topic, partition, bytes(source)));
        return slot == null || slot[0] == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(slot[0]);
    }

    /**
     * Sets the highest sequence seen from a source in a partition, as stored by a previous consumer
     * (see the class comment): records at or below it are duplicates from now on.
     *
     * @param topic     a Kafka topic
     * @param partition one of its partitions
     * @param source    a bridge's source
     * @param sequence  the highest sequence that consumer accepted
     */
    public void restore(String topic, int partition, String source, long sequence) {
        slot(topic, partition, bytes(source))[0] = sequence;
    }

    /** @return records called duplicates since this object was made */
    public long duplicates() {
        return duplicates;
    }

    /** @return records not called duplicates since this object was made */
    public long accepted() {
        return accepted;
    }

    private long[] slot(String topic, int partition, byte[] source) {
        if (partition == lastPartition && Arrays.equals(source, lastSource) && topic.equals(lastTopic)) {
            return lastHighest;
        }
        byte[] kept = source.clone();
        long[] slot = highest.computeIfAbsent(new Stream(topic, partition, kept), stream -> new long[] {Long.MIN_VALUE});
        lastTopic = topic;
        lastPartition = partition;
        lastSource = kept;
        lastHighest = slot;
        return slot;
    }

    private static byte[] bytes(String source) {
        return Objects.requireNonNull(source, "source").getBytes(StandardCharsets.UTF_8);
    }

    /** One writer's records in one partition. */
    private record Stream(String topic, int partition, byte[] source) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Stream that && partition == that.partition && topic.equals(that.topic)
                    && Arrays.equals(source, that.source);
        }

        @Override
        public int hashCode() {
            return (topic.hashCode() * 31 + partition) * 31 + Arrays.hashCode(source);
        }

        @Override
        public String toString() {
            return topic + "-" + partition + " from " + new String(source, StandardCharsets.UTF_8);
        }
    }
}
