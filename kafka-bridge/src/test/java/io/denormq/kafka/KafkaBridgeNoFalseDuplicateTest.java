package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.denormq.Codec;
import io.denormq.ConfigurationException;
import io.denormq.DeadLetter;
import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.RetryPolicy;
import io.denormq.kafka.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What would make {@link DenormqRecordDeduplicator} drop a record the consumer never saw (issue 21,
 * items 5 to 8): each test reads the topic back, runs the deduplicator over it and checks that every
 * message it dropped had been accepted once before — or sees the bridge refuse the setup.
 */
@Timeout(180)
class KafkaBridgeNoFalseDuplicateTest extends SharedBrokerTestSupport {

    @Override
    protected String topicPrefix() {
        return "dedup";
    }

    /**
     * Item 5: a close while records are held must not send them: sending them in a graceful close is
     * sending without stop-at-first-failure (a failure then no longer stops the producer, and the
     * records after the failed one are written ahead of its re-send).
     */
    @Test
    void shouldSendNothingMoreOnceClosedWithRecordsInFlight() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .defaultTopic(topic)
                .source("closing")
                .producerProperty(ProducerConfig.LINGER_MS_CONFIG, 20_000) // held in the producer until close
                .build();
        for (int i = 1; i <= 5; i++) {
            bridge.onMessage(new CopiedMessage(i, "t", "k", "held-" + i));
        }
        long start = System.nanoTime();
        bridge.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads())
                .as("records the producer sent after close() was called (close took %d ms)", closeMillis).isEmpty();
    }

    /**
     * Item 6: the handler runs as 2 partitions, one of which lags; then as 3, all resuming from the
     * laggard's cursor. A key that moves to a partition whose bridge already wrote higher sequences
     * to the Kafka partition must not be taken for a re-send.
     */
    @Test
    void shouldNotDropARecordAsADuplicateAfterTheHandlerPartitionCountChanges() throws Exception {
        broker.createTopic(topic, 1);
        List<KafkaBridge> bridges = new ArrayList<>();
        MessageHandler laggard = message -> Thread.sleep(Long.MAX_VALUE); // acknowledges nothing until stopped
        DenormQueue first = DenormQueue.builder(journalDir).shutdownTimeout(Duration.ofSeconds(1))
                .handler("kafka", 2, partition -> partition == 0 ? laggard : bridge(bridges, "partitioned-" + partition))
                .build();
        Set<String> published = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            first.publish("t", "key-" + (i % 20), bytes("first-" + i));
            published.add("first-" + i);
        }
        awaitQuiet(); // partition 1 has sent its keys' records
        first.close();
        bridges.forEach(KafkaBridge::close);

        bridges.clear();
        DenormQueue second = DenormQueue.builder(journalDir)
                .handler("kafka", 3, partition -> bridge(bridges, "partitioned-" + partition))
                .build();
        for (int i = 0; i < 30; i++) {
            second.publish("t", "key-" + (i % 20), bytes("second-" + i));
            published.add("second-" + i);
        }
        assertThat(second.awaitProcessed(AWAIT)).isTrue();
        second.close();
        bridges.forEach(KafkaBridge::close);

        Deduplicated seen = deduplicate(TopicContents.read(broker.bootstrapServers(), topic));
        assertThat(seen.accepted()).containsExactlyInAnyOrderElementsOf(published);
        assertThat(seen.droppedNeverAccepted()).as("records dropped as duplicates that were never accepted").isEmpty();
    }

    /** Item 7: a partitioner that ignores keys spreads one key over partitions: per-key order and the dedup rule break. */
    @Test
    void shouldKeepEveryRecordOfAKeyInOnePartitionWhateverPartitionerIsConfigured() throws Exception {
        broker.createTopic(topic, 4);
        KafkaBridge bridge;
        try {
            bridge = KafkaBridge.builder()
                    .bootstrapServers(broker.bootstrapServers())
                    .defaultTopic(topic)
                    .source("round-robin")
                    .producerProperty(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName())
                    .build();
        } catch (ConfigurationException refused) {
            assertThat(refused).hasMessageContaining("partitioner.class");
            return;
        }
        DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build();
        for (int i = 0; i < 20; i++) {
            queue.publish("t", "one-key", bytes("n-" + i));
        }
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        queue.close();
        bridge.close();
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).partitions()).as("partitions of one key").hasSize(1);
    }

    /**
     * Item 8: two queues in one process, and two bridges in one queue, none given a source: the
     * consumer must tell their records apart (their sequences overlap), and a restarted queue must
     * keep its source.
     */
    @Test
    void shouldGiveEveryQueueAndBridgeItsOwnStableSourceByDefault() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge a = bridge(null);
        KafkaBridge b = bridge(null);
        KafkaBridge bCopy = bridge(null);
        DenormQueue queueA = DenormQueue.builder(root.resolve("a")).handler("kafka", a).build();
        DenormQueue queueB = DenormQueue.builder(root.resolve("b")).handler("kafka", b).handler("kafka-copy", bCopy).build();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queueA.publish("t", "key-" + (i % 5), bytes("a-" + i));
            queueB.publish("t", "key-" + (i % 5), bytes("b-" + i));
            expected.addAll(List.of("a-" + i, "b-" + i, "b-" + i));
        }
        assertThat(queueA.awaitProcessed(AWAIT)).isTrue();
        assertThat(queueB.awaitProcessed(AWAIT)).isTrue();
        queueA.close();
        queueB.close();
        a.close();
        b.close();
        bCopy.close();

        KafkaBridge again = bridge(null);
        DenormQueue restarted = DenormQueue.builder(root.resolve("a")).handler("kafka", again).build();
        restarted.publish("t", "key-0", bytes("a-again"));
        expected.add("a-again");
        assertThat(restarted.awaitProcessed(AWAIT)).isTrue();
        restarted.close();
        again.close();

        TopicContents contents = TopicContents.read(broker.bootstrapServers(), topic);
        Deduplicated seen = deduplicate(contents);
        assertThat(seen.acceptedInOrder()).as("what the deduplicator let through").containsExactlyInAnyOrderElementsOf(expected);
        Map<String, String> sourceOf = new HashMap<>();
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : contents.records()) {
            sourceOf.putIfAbsent(new String(record.value(), StandardCharsets.UTF_8), DenormqHeaders.source(record.headers()));
            sources.add(DenormqHeaders.source(record.headers()));
        }
        assertThat(sourceOf.get("a-again")).as("source after a restart").isEqualTo(sourceOf.get("a-0"));
        assertThat(sources).as("one per bridge").hasSize(3);
    }

    /** Item 8: two bridges of one process given the same source are refused, rather than having each other's records dropped. */
    @Test
    void shouldRefuseTwoBridgesSharingASourceInOneProcess() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge a = bridge("same");
        KafkaBridge b = bridge("same");
        DenormQueue queueA = DenormQueue.builder(root.resolve("a")).handler("kafka", a).build();
        DenormQueue queueB;
        try {
            queueB = DenormQueue.builder(root.resolve("b")).handler("kafka", b).build();
        } catch (ConfigurationException refused) {
            assertThat(refused).hasMessageContaining("source").hasMessageContaining("'same'");
            queueA.close();
            a.close();
            b.close();
            return;
        }
        for (int i = 0; i < 20; i++) {
            queueA.publish("t", "k", bytes("a-" + i));
            queueB.publish("t", "k", bytes("b-" + i));
        }
        assertThat(queueA.awaitProcessed(AWAIT)).isTrue();
        assertThat(queueB.awaitProcessed(AWAIT)).isTrue();
        queueA.close();
        queueB.close();
        a.close();
        b.close();
        Deduplicated seen = deduplicate(TopicContents.read(broker.bootstrapServers(), topic));
        assertThat(seen.droppedNeverAccepted()).as("records of one writer dropped as the other's duplicates").isEmpty();
    }

    /**
     * Item 9: the rule holds across a change of the topic mapping made after a clean close (which
     * drains: nothing awaits a re-send): in each topic, nothing the deduplicator drops is new.
     */
    @Test
    void shouldDropNothingNewWhenTheTopicMappingChangesAfterACleanClose() throws Exception {
        String x = topic + "-x";
        String y = topic + "-y";
        broker.createTopic(x, 1);
        broker.createTopic(y, 1);
        KafkaBridge before = bridgeToBroker()
                .topic("a", x).topic("b", y).build();
        DenormQueue first = DenormQueue.builder(journalDir).handler("kafka", before).build();
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            first.publish("a", "k", bytes("a-" + i));
            first.publish("b", "k", bytes("b-" + i));
            published.addAll(List.of("a-" + i, "b-" + i));
        }
        assertThat(first.awaitProcessed(AWAIT)).isTrue();
        first.close();
        before.close();

        KafkaBridge after = bridgeToBroker()
                .topic("a", y).topic("b", y).build(); // "a" moves into the topic "b" already wrote higher sequences to
        DenormQueue second = DenormQueue.builder(journalDir).handler("kafka", after).build();
        for (int i = 20; i < 30; i++) {
            second.publish("a", "k", bytes("a-" + i));
            second.publish("b", "k", bytes("b-" + i));
            published.addAll(List.of("a-" + i, "b-" + i));
        }
        assertThat(second.awaitProcessed(AWAIT)).isTrue();
        second.close();
        after.close();

        Deduplicated inX = deduplicate(TopicContents.read(broker.bootstrapServers(), x));
        Deduplicated inY = deduplicate(TopicContents.read(broker.bootstrapServers(), y));
        assertThat(inX.droppedNeverAccepted()).isEmpty();
        assertThat(inY.droppedNeverAccepted()).isEmpty();
        List<String> accepted = new ArrayList<>(inX.acceptedInOrder());
        accepted.addAll(inY.acceptedInOrder());
        assertThat(accepted).containsExactlyInAnyOrderElementsOf(published);
    }

    /**
     * Item 10: a redrive is published as what it is: a record of its own (a new, higher sequence,
     * after the newer records of its key, which the deduplicator keeps) naming the sequence its
     * failed delivery had, which a consumer keeping the newest value per key compares.
     */
    @Test
    void shouldPublishARedriveAsANewRecordNamingItsOriginalSequence() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge strict = bridgeToBroker().defaultTopic(topic)
                .producerProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2048).build();
        DenormQueue first = DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(5))).handler("kafka", strict).build();
        byte[] old = new byte[3000];
        java.util.Arrays.fill(old, (byte) 'o');
        first.publish("t", "k", old);                  // refused: larger than max.request.size
        first.publish("t", "k", bytes("newer"));
        assertThat(first.awaitProcessed(AWAIT)).isTrue();
        List<DeadLetter> deadLetters = first.deadLetters();
        first.close();
        strict.close();
        assertThat(deadLetters).hasSize(1);

        KafkaBridge relaxed = bridge(null);            // the limit raised
        DenormQueue second = DenormQueue.builder(journalDir).handler("kafka", relaxed).build();
        second.redrive(deadLetters.get(0));
        assertThat(second.awaitProcessed(AWAIT)).isTrue();
        second.close();
        relaxed.close();

        List<ConsumerRecord<String, byte[]>> records = TopicContents.read(broker.bootstrapServers(), topic).records();
        assertThat(records).hasSize(2);
        ConsumerRecord<String, byte[]> newer = records.get(0);
        ConsumerRecord<String, byte[]> redriven = records.get(1);
        assertThat(new String(newer.value(), StandardCharsets.UTF_8)).isEqualTo("newer");
        assertThat(redriven.value()).isEqualTo(old);
        assertThat(DenormqHeaders.sequence(redriven.headers())).isGreaterThan(DenormqHeaders.sequence(newer.headers()));
        assertThat(DenormqHeaders.originalSequence(redriven.headers())).isEqualTo(deadLetters.get(0).sequence())
                .isLessThan(DenormqHeaders.originalSequence(newer.headers()));
        assertThat(DenormqHeaders.originalSequence(newer.headers())).isEqualTo(DenormqHeaders.sequence(newer.headers()));
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        assertThat(records).noneMatch(deduplicator::isDuplicate);
    }

    private KafkaBridge bridge(String source) {
        KafkaBridgeBuilder builder = bridgeToBroker().defaultTopic(topic);
        return (source == null ? builder : builder.source(source)).build();
    }

    private KafkaBridge bridge(List<KafkaBridge> made, String source) {
        KafkaBridge bridge = bridge(source);
        made.add(bridge);
        return bridge;
    }

    /** Waits until the topic holds records and no more arrive for a second. */
    private void awaitQuiet() throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        int size = 0;
        while (true) {
            Thread.sleep(1000);
            int now = TopicContents.read(broker.bootstrapServers(), topic).size();
            if (now > 0 && now == size) {
                return;
            }
            assertThat(System.nanoTime()).as("records in time").isLessThan(deadline);
            size = now;
        }
    }

    private static Deduplicated deduplicate(TopicContents contents) {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        List<String> accepted = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : contents.records()) {
            String payload = new String(record.value(), StandardCharsets.UTF_8);
            (deduplicator.isDuplicate(record) ? dropped : accepted).add(payload);
        }
        List<String> droppedNeverAccepted = dropped.stream().filter(payload -> !accepted.contains(payload)).toList();
        return new Deduplicated(accepted, droppedNeverAccepted);
    }

    private record Deduplicated(List<String> acceptedInOrder, List<String> droppedNeverAccepted) {
        Set<String> accepted() {
            return new HashSet<>(acceptedInOrder);
        }
    }

    /** A message handed to the bridge directly, without a queue. */
    private record CopiedMessage(long sequence, String topic, String key, String text) implements Message {
        @Override
        public long id() {
            return sequence;
        }

        @Override
        public byte[] payload() {
            return bytes(text);
        }

        @Override
        public int payloadLength() {
            return payload().length;
        }

        @Override
        public <T> T payload(Codec<T> codec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean redelivered() {
            return false;
        }

        @Override
        public long releasedAtMillis() {
            return System.currentTimeMillis();
        }
    }
}
