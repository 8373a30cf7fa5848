package io.denormq.kafka.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.denormq.kafka.DenormqHeaders;
import io.denormq.kafka.DenormqRecordDeduplicator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Everything a topic holds, read with a plain consumer from the first offset to the end offsets
 * of the moment of reading, partition by partition in offset order; and the checks the tests make
 * on it.
 */
public final class TopicContents {
    private final List<ConsumerRecord<String, byte[]>> records;

    private TopicContents(List<ConsumerRecord<String, byte[]>> records) {
        this.records = List.copyOf(records);
    }

    /**
     * @param bootstrapServers the broker
     * @param topic            the topic
     * @return every record the topic holds now
     */
    public static TopicContents read(String bootstrapServers, String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map((PartitionInfo info) -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end + " in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        // partition by partition, in offset order: the order a consumer of each partition sees
        records.sort(Comparator.comparingInt((ConsumerRecord<String, byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        return new TopicContents(records);
    }

    /** @return the records, partition by partition in offset order */
    public List<ConsumerRecord<String, byte[]>> records() {
        return records;
    }

    /** @return the payloads as text, one entry per record (duplicates included) */
    public List<String> payloads() {
        return records.stream().map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    /** @return the distinct payloads as text */
    public Set<String> distinctPayloads() {
        return new HashSet<>(payloads());
    }

    /** @return records beyond the first copy of each message id */
    public int duplicates() {
        return records.size() - records.stream().map(r -> DenormqHeaders.id(r.headers())).collect(Collectors.toSet()).size();
    }

    /** @return how often each re-sent message id is there, for the ones there more than once */
    public Map<Long, Integer> duplicatedIds() {
        Map<Long, Integer> copies = new HashMap<>();
        records.forEach(r -> copies.merge(DenormqHeaders.id(r.headers()), 1, Integer::sum));
        copies.values().removeIf(count -> count == 1);
        return copies;
    }

    /** @return the partitions that hold records */
    public Set<Integer> partitions() {
        return records.stream().map(ConsumerRecord::partition).collect(Collectors.toSet());
    }

    /**
     * Checks what consumers rely on: within a partition (and source), the first copy of each message
     * comes after the first copies of every message with a lower sequence; a record whose sequence is
     * not above the highest seen is a copy of a message seen before. Per-key order follows, since a
     * key's records share a partition.
     *
     * @return a description of every violation, empty if none
     */
    public List<String> orderViolations() {
        List<String> violations = new ArrayList<>();
        Map<String, Long> highest = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            long id = DenormqHeaders.id(record.headers());
            long sequence = DenormqHeaders.sequence(record.headers());
            String stream = record.partition() + "/" + DenormqHeaders.source(record.headers());
            long high = highest.getOrDefault(stream, Long.MIN_VALUE);
            boolean first = seen.add(id);
            if (first && sequence <= high) {
                violations.add("partition " + record.partition() + " offset " + record.offset() + ": first copy of id " + id
                        + " (sequence " + sequence + ", key " + record.key() + ") after sequence " + high);
            }
            highest.put(stream, Math.max(high, sequence));
        }
        return violations;
    }

    /**
     * Runs a {@link DenormqRecordDeduplicator} over the records, as a consumer of every partition would.
     *
     * @return the records it kept
     */
    public List<ConsumerRecord<String, byte[]>> deduplicated() {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        List<ConsumerRecord<String, byte[]>> kept = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (!deduplicator.isDuplicate(record)) {
                kept.add(record);
            }
        }
        return Collections.unmodifiableList(kept);
    }

    /** @return the number of records */
    public int size() {
        return records.size();
    }
}
