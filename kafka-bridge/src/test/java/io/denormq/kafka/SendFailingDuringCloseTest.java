package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.denormq.DenormQueue;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.kafka.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21, item 5, staged for real: records are in flight when the queue is closed, and their sends
 * fail during the close because the broker was killed ({@code kill -9}) just before and the producer
 * gives up on them ({@code delivery.timeout.ms} 3 s, inside the queue's 8 s shutdown timeout). The
 * bridge re-sends during the close and fails again; the close ends with them unacknowledged, and
 * {@code bridge.close()} stops the producer at once. After the broker and the application restart,
 * every message is in Kafka, in order, and the deduplicator drops only real duplicates.
 */
@Timeout(240)
class SendFailingDuringCloseTest {
    private static final String TOPIC = "closing";

    private Path dir;
    private KafkaBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        dir = Files.createTempDirectory("denormq-kafka-closing-");
        broker = KafkaBroker.start(dir.resolve("broker"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        KafkaBroker.deleteRecursively(dir);
    }

    @Test
    void shouldLoseNothingAndDropNothingNewWhenSendsFailWhileTheQueueCloses() throws Exception {
        KafkaBridge bridge = bridge();
        DenormQueue queue = DenormQueue.builder(dir.resolve("journal")).shutdownTimeout(Duration.ofSeconds(8))
                .handler("kafka", bridge).build();
        Set<String> published = new HashSet<>();
        publish(queue, "before", published);
        assertThat(queue.awaitProcessed(Duration.ofSeconds(60))).isTrue();

        broker.kill();
        publish(queue, "during", published);
        Thread.sleep(300); // handed to the producer, which cannot reach the broker
        long start = System.nanoTime();
        queue.close();
        long closeMillis = (System.nanoTime() - start) / 1_000_000;
        KafkaBridgeStats atClose = bridge.stats();
        bridge.close();

        assertThat(closeMillis).as("the close waited for the acknowledgements until its timeout").isGreaterThan(7_000);
        assertThat(atClose.failedRounds()).as("sends failed, and were re-sent, during the close: %s", atClose).isPositive();
        assertThat(atClose.inFlightRecords()).as("records unacknowledged when the close gave up").isPositive();

        broker.start();
        KafkaBridge restarted = bridge();
        DenormQueue reopened = DenormQueue.builder(dir.resolve("journal")).handler("kafka", restarted).build();
        assertThat(reopened.awaitProcessed(Duration.ofSeconds(90))).isTrue();
        reopened.close();
        restarted.close();

        TopicContents contents = TopicContents.read(broker.bootstrapServers(), TOPIC);
        assertThat(contents.distinctPayloads()).as("nothing lost").isEqualTo(published);
        assertThat(contents.orderViolations()).isEmpty();
        List<ConsumerRecord<String, byte[]>> kept = contents.deduplicated();
        assertThat(kept.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .as("the deduplicator keeps every message once").containsExactlyInAnyOrderElementsOf(published);
    }

    private KafkaBridge bridge() {
        return KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .defaultTopic(TOPIC)
                .source("closing-test")
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .producerProperty(ProducerConfig.LINGER_MS_CONFIG, 0)
                .producerProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000)
                .producerProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000)
                .producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000)
                .producerProperty(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200)
                .build();
    }

    private static void publish(DenormQueue queue, String prefix, Set<String> published) {
        for (int i = 0; i < 40; i++) {
            String payload = prefix + "-" + i;
            queue.publish("t", "key-" + (i % 4), payload.getBytes(StandardCharsets.UTF_8));
            published.add(payload);
        }
    }
}
