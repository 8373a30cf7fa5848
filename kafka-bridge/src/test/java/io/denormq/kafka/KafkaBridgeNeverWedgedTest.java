package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.denormq.ConfigurationException;
import io.denormq.DeadLetter;
import io.denormq.DenormQueue;
import io.denormq.RetryPolicy;
import io.denormq.kafka.testing.TopicContents;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What must never hold the bridge for good (issue 21, items 1 to 4): a record Kafka refuses is
 * dead-lettered by the queue whatever state the producer is in, settings that would make every
 * re-send round fail are refused, and a bridge cannot be reused by a second queue. Each test either
 * sees the bridge refuse the setup with a {@link ConfigurationException}, or sees it deliver.
 */
@Timeout(180)
class KafkaBridgeNeverWedgedTest extends SharedBrokerTestSupport {
    private static final RetryPolicy QUICK_RETRIES = RetryPolicy.of(3, Duration.ofMillis(1), Duration.ofMillis(5));

    @Override
    protected String topicPrefix() {
        return "wedge";
    }

    /** Item 1: the size is checked in onMessage even when the producer has failed and the record would go out unsent. */
    @Test
    void shouldDeadLetterAnOversizeRecordThatFollowsAFailedSend() throws Exception {
        String late = topic + "-late";
        broker.createTopic(topic, 1);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topic("late", late)   // created only after the first sends failed on it
                .topic("t", topic)
                .source("oversize")
                .producerProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2048)
                .producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000)
                .backoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir).retry(QUICK_RETRIES).handler("kafka", bridge).build();
        queue.publish("late", "k", bytes("late"));
        queue.publish("t", "k", new byte[4096]);
        queue.publish("t", "k", bytes("after"));
        Thread.sleep(2500); // the metadata of 'late' times out: the producer fails, the rest of the batch goes unsent
        broker.createTopic(late, 1);
        boolean processed = queue.awaitProcessed(AWAIT);
        List<DeadLetter> deadLetters = queue.deadLetters();
        queue.close();
        bridge.close();

        assertThat(processed).as("the bridge went past the oversize record").isTrue();
        assertThat(deadLetters).singleElement()
                .satisfies(dead -> assertThat(dead.error()).contains("RecordTooLargeException"));
        assertThat(TopicContents.read(broker.bootstrapServers(), late).payloads()).containsExactly("late");
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("after");
    }

    /** Item 2: every round's new producer must be able to fetch metadata before its first send times out. */
    @Test
    void shouldNotWedgeOnAMaxBlockShorterThanAMetadataRoundTrip() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge bridge;
        try {
            bridge = KafkaBridge.builder()
                    .bootstrapServers(broker.bootstrapServers())
                    .defaultTopic(topic)
                    .source("max-block")
                    .producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .build();
        } catch (ConfigurationException refused) {
            assertThat(refused).hasMessageContaining("max.block.ms=0");
            return;
        }
        DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build();
        queue.publish("t", "k", bytes("one"));
        queue.publish("t", "k", bytes("two"));
        boolean processed = queue.awaitProcessed(Duration.ofSeconds(20));
        queue.close();
        bridge.close();
        assertThat(processed).as("delivered with max.block.ms=0").isTrue();
    }

    /** Item 3: a topic mapping that names no possible Kafka topic dead-letters the message instead of holding the bridge. */
    @Test
    void shouldDeadLetterAMessageWhoseTopicMappingGivesAnInvalidKafkaTopicName() throws Exception {
        broker.createTopic(topic, 1);
        String valid = topic;
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topicMapping(denormqTopic -> denormqTopic.equals("bad") ? "not a topic!" : valid)
                .source("bad-mapping")
                .producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir).retry(QUICK_RETRIES).handler("kafka", bridge).build();
        queue.publish("t", "k", bytes("before"));
        queue.publish("bad", "k", bytes("bad"));
        queue.publish("t", "k", bytes("after"));
        boolean processed = queue.awaitProcessed(AWAIT);
        List<DeadLetter> deadLetters = queue.deadLetters();
        queue.close();
        bridge.close();

        assertThat(processed).as("the bridge went past the unmappable message").isTrue();
        assertThat(deadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.topic()).isEqualTo("bad");
            assertThat(dead.error()).contains("not a topic!");
        });
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("before", "after");
    }

    /**
     * Item 3: a record the broker refuses whatever the bridge does (here a keyless one to a compacted
     * topic) is dead-lettered after the queue's retry policy, with the broker's error, and goes out
     * when redriven once the cause is fixed.
     */
    @Test
    void shouldDeadLetterARecordTheBrokerRefusesForGoodAndSendItWhenRedrivenOnceFixed() throws Exception {
        broker.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .defaultTopic(topic)
                .source("compacted")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir).retry(QUICK_RETRIES).handler("kafka", bridge).build();
        queue.publish("t", "k", bytes("before"));
        queue.publish("t", null, bytes("keyless"));
        queue.publish("t", "k", bytes("after"));
        boolean processed = queue.awaitProcessed(AWAIT);
        List<DeadLetter> deadLetters = queue.deadLetters();
        List<String> beforeRedrive = TopicContents.read(broker.bootstrapServers(), topic).payloads();
        boolean redriven = false;
        if (deadLetters.size() == 1) {
            broker.setTopicConfig(topic, "cleanup.policy", "delete"); // the cause, fixed
            Thread.sleep(1000);
            queue.redrive(deadLetters.get(0));
            redriven = queue.awaitProcessed(AWAIT);
        }
        List<DeadLetter> afterRedrive = queue.deadLetters();
        queue.close();
        bridge.close();

        assertThat(processed).as("the bridge went past the refused record").isTrue();
        assertThat(deadLetters).singleElement().satisfies(dead -> {
            assertThat(new String(dead.payload(), StandardCharsets.UTF_8)).isEqualTo("keyless");
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.error()).contains("InvalidRecordException");
        });
        assertThat(beforeRedrive).containsExactly("before", "after");
        assertThat(redriven).isTrue();
        assertThat(afterRedrive).isEmpty();
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("before", "after", "keyless");
    }

    /** Item 4: a bridge keeps one handler's records in order: a second registration is refused when the queue is built. */
    @Test
    void shouldRefuseABridgeAlreadyServingAnotherQueueOrPartition() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge bridge = bridgeToBroker().defaultTopic(topic)
                .source("reused").build();
        DenormQueue first = DenormQueue.builder(root.resolve("first")).handler("kafka", bridge).build();
        first.publish("t", "k", bytes("one"));
        assertThat(first.awaitProcessed(AWAIT)).isTrue();
        first.close();

        DenormQueue second;
        try {
            second = DenormQueue.builder(root.resolve("second")).handler("kafka", bridge).build();
        } catch (ConfigurationException refused) {
            assertThat(refused).hasMessageContaining("'kafka'").hasMessageContaining("already");
            KafkaBridge shared = bridgeToBroker().defaultTopic(topic).build();
            try {
                DenormQueue.builder(root.resolve("third")).handler("kafka", 2, partition -> shared).build().close();
                throw new AssertionError("one bridge for two partitions was accepted");
            } catch (ConfigurationException alsoRefused) {
                assertThat(alsoRefused).hasMessageContaining("partition");
            } finally {
                shared.close();
                bridge.close();
            }
            return;
        }
        second.publish("t", "k", bytes("two"));
        boolean processed = second.awaitProcessed(AWAIT);
        List<DeadLetter> deadLetters = second.deadLetters();
        second.close();
        bridge.close();
        assertThat(processed).isTrue();
        assertThat(deadLetters).as("messages the reused bridge dead-lettered").isEmpty();
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("one", "two");
    }

}
