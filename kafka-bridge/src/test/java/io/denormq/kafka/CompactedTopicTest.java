package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.denormq.Codec;
import io.denormq.Message;
import io.denormq.kafka.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21, item 9, compacted topics: a re-send run (what the bridge sends after a crash) repeats
 * an older value of a key, and is itself cut short by another crash; the broker then compacts the
 * topic. Compaction removes the first copies of records, which is what the deduplicator's rule
 * rests on (in a partition, the first copy of every record comes after the first copies of all
 * records with lower sequences): what survives can be a re-sent copy behind a higher sequence of the
 * same source. This test shows what {@link DenormqRecordDeduplicator} then does to a consumer that
 * reads the compacted topic from the start, and that the rule the README gives for compacted topics
 * (keep the highest {@code denormq-sequence} per key) gives the older value until the run
 * completes, then the newest.
 */
@Timeout(180)
class CompactedTopicTest extends SharedBrokerTestSupport {
    private static final Duration COMPACTION_WAIT = Duration.ofSeconds(60);
    /** When the messages were released: a minute ago, the same on every delivery. */
    private static final long RELEASED_AT = System.currentTimeMillis() - 60_000;

    @Override
    protected String topicPrefix() {
        return "compacted";
    }

    @Test
    void shouldShowWhatTheDeduplicatorDropsOnACompactedTopicAndThatTheNewestSequencePerKeyRuleHolds() throws Exception {
        broker.createTopic(topic, 1, Map.of(
                "cleanup.policy", "compact",
                "segment.ms", "100",                    // a segment rolls at the first record 100 ms after it opened
                "min.cleanable.dirty.ratio", "0.01",
                "min.compaction.lag.ms", "0",
                "delete.retention.ms", "100"));
        // first run: k goes from v1 to v2, then another key's record (a higher sequence of the same source)
        send("compacting", List.of(message(1, "k", "v1"), message(2, "k", "v2"), message(3, "other", "o3")));
        // a crash before the cursor moved, and the re-send run cut short by another crash after one record:
        // the key's latest record is now the older value, behind the source's sequence 3
        send("compacting", List.of(message(1, "k", "v1")));
        Thread.sleep(200);
        // a segment rolls on a record whose timestamp is segment.ms past the segment's first one: then what
        // precedes it can be compacted (the records above carry fixed release times of their own)
        send("filler", List.of(new Sent(1, "filler", "roll", System.currentTimeMillis())));
        List<ConsumerRecord<String, byte[]>> compacted = awaitCompactionOf("k", 1);

        assertThat(values(compacted)).as("the compacted topic").containsExactly("o3", "v1", "roll");
        // what the deduplicator makes of it, read from the start: the only record left of k has sequence 1,
        // behind the source's sequence 3, so it is dropped as a re-send; the consumer has no value for k
        assertThat(valuesByKey(deduplicated(compacted))).doesNotContainKey("k").containsEntry("other", "o3");
        // the rule for compacted topics: keep the highest denormq-sequence per key; k is at its older value
        assertThat(newestPerKey(compacted)).containsEntry("k", "v1").containsEntry("other", "o3");

        // the run completes (the bridge re-sends until acknowledged): v1, v2, o3 again
        send("compacting", List.of(message(1, "k", "v1"), message(2, "k", "v2"), message(3, "other", "o3")));
        List<ConsumerRecord<String, byte[]>> completed = TopicContents.read(broker.bootstrapServers(), topic).records();
        assertThat(newestPerKey(completed)).as("per key, once the run completed").containsEntry("k", "v2")
                .containsEntry("other", "o3");
        assertThat(valuesByKey(deduplicated(completed))).as("the deduplicator, until compaction drops the first o3")
                .doesNotContainKey("k");
    }

    /** Sends the messages through a bridge fed directly (as the queue would deliver them), and waits for the broker. */
    private void send(String source, List<Message> messages) throws Exception {
        try (KafkaBridge bridge = bridgeToBroker().defaultTopic(topic).source(source).build()) {
            for (Message message : messages) {
                bridge.onMessage(message);
            }
            bridge.onCaughtUp();
        }
    }

    private List<ConsumerRecord<String, byte[]>> awaitCompactionOf(String key, int recordsLeft) throws Exception {
        long deadline = System.nanoTime() + COMPACTION_WAIT.toNanos();
        while (true) {
            List<ConsumerRecord<String, byte[]>> records = TopicContents.read(broker.bootstrapServers(), topic).records();
            if (records.stream().filter(r -> key.equals(r.key())).count() == recordsLeft) {
                return records;
            }
            if (System.nanoTime() > deadline) {
                List<String> cleaner = java.nio.file.Files.readAllLines(broker.log()).stream()
                        .filter(line -> line.contains("lean") || line.contains(topic)).toList();
                throw new AssertionError("not compacted within " + COMPACTION_WAIT + ": " + values(records)
                        + "\nbroker log:\n" + String.join("\n", cleaner.subList(Math.max(0, cleaner.size() - 40), cleaner.size())));
            }
            Thread.sleep(500);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> deduplicated(List<ConsumerRecord<String, byte[]>> records) {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        return records.stream().filter(record -> !deduplicator.isDuplicate(record)).toList();
    }

    /** The consumer the README recommends on compacted topics: per key, a record older than the one applied is ignored. */
    private static Map<String, String> newestPerKey(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, Long> applied = new HashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            long sequence = DenormqHeaders.sequence(record.headers());
            if (sequence > applied.getOrDefault(record.key(), Long.MIN_VALUE)) {
                applied.put(record.key(), sequence);
                values.put(record.key(), new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static Map<String, String> valuesByKey(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, String> values = new LinkedHashMap<>();
        records.forEach(record -> values.put(record.key(), new String(record.value(), StandardCharsets.UTF_8)));
        return values;
    }

    private static List<String> values(List<ConsumerRecord<String, byte[]>> records) {
        List<String> values = new ArrayList<>();
        records.forEach(record -> values.add(new String(record.value(), StandardCharsets.UTF_8)));
        return values;
    }

    private static Message message(long sequence, String key, String value) {
        return new Sent(sequence, key, value, RELEASED_AT + sequence);
    }

    /** A message as the queue delivers it, the same on every delivery (its release time included). */
    private record Sent(long sequence, String key, String value, long releasedAtMillis) implements Message {
        @Override
        public long id() {
            return sequence;
        }

        @Override
        public String topic() {
            return "t";
        }

        @Override
        public byte[] payload() {
            return bytes(value);
        }

        @Override
        public int payloadLength() {
            return payload().length;
        }

        @Override
        public <T> T payload(Codec<T> codec) {
            return codec.decode(payload(), 0, payloadLength());
        }

        @Override
        public boolean redelivered() {
            return false;
        }
    }
}
