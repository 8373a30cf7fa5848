package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.denormq.DenormQueue;
import io.denormq.RetryPolicy;
import io.denormq.kafka.testing.TopicContents;
import io.denormq.tx.ProgrammaticTransactions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge against a real broker, without failures: what arrives, in which order, with which
 * headers; the in-flight cap; a record Kafka refuses.
 */
@Timeout(120)
class KafkaBridgeTest extends SharedBrokerTestSupport {
    private Connection database;

    @Override
    protected String topicPrefix() {
        return "bridge";
    }

    @BeforeEach
    void createDatabase() throws Exception {
        database = DriverManager.getConnection("jdbc:h2:mem:bridge-" + testNumber);
        database.setAutoCommit(false);
        try (Statement statement = database.createStatement()) {
            statement.execute("create table orders(id bigint primary key, customer varchar(40))");
        }
        database.commit();
    }

    @AfterEach
    void closeDatabase() throws Exception {
        database.close();
    }

    @Test
    void shouldForwardExactlyTheCommittedMessagesOnceEachInKeyOrderWithTheirHeaders() throws Exception {
        broker.createTopic(topic, 4);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topic("order-placed", topic)
                .topic("order-cancelled", topic)
                .source("test-source")
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build();
        Map<String, String> denormqTopicOf = new HashMap<>();
        Set<String> rolledBack = new HashSet<>();
        int order = 0;
        for (int tx = 0; tx < 300; tx++) {
            boolean rollback = tx % 7 == 3;
            List<String> payloads = new ArrayList<>();
            try {
                int first = order;
                ProgrammaticTransactions.run(database, connection -> {
                    for (int i = 0; i < 5; i++) {
                        int n = first + i;
                        String denormqTopic = n % 3 == 0 ? "order-cancelled" : "order-placed";
                        String key = n % 11 == 0 ? null : "customer-" + (n % 13);
                        String payload = n + ":" + key;
                        insert(connection, n, key);
                        queue.publish(denormqTopic, key, payload.getBytes(StandardCharsets.UTF_8));
                        queue.publish("audit", key, payload.getBytes(StandardCharsets.UTF_8)); // not mapped
                        payloads.add(payload);
                        denormqTopicOf.put(payload, denormqTopic);
                    }
                    if (rollback) {
                        throw new SQLException("rolled back on purpose");
                    }
                    return null;
                });
            } catch (SQLException expected) {
                rolledBack.addAll(payloads);
            }
            order += 5;
        }
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        // read before closing anything: what the queue counts as processed must be in Kafka already
        TopicContents contents = TopicContents.read(broker.bootstrapServers(), topic);
        queue.close();
        bridge.close();

        Set<String> committed = new HashSet<>(denormqTopicOf.keySet());
        committed.removeAll(rolledBack);
        assertThat(rolledBack).hasSize(43 * 5);
        assertThat(contents.payloads()).hasSize(committed.size()).doesNotHaveDuplicates();
        assertThat(contents.distinctPayloads()).isEqualTo(committed);
        assertThat(contents.orderViolations()).isEmpty();
        assertThat(contents.partitions()).hasSize(4);

        Map<String, Integer> lastOrderOfKey = new HashMap<>();
        Set<Integer> keylessPartitions = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : contents.records()) {
            String payload = new String(record.value(), StandardCharsets.UTF_8);
            int n = Integer.parseInt(payload.substring(0, payload.indexOf(':')));
            assertThat(record.key()).isEqualTo(payload.endsWith(":null") ? null : payload.substring(payload.indexOf(':') + 1));
            assertThat(DenormqHeaders.topic(record.headers())).isEqualTo(denormqTopicOf.get(payload));
            assertThat(DenormqHeaders.source(record.headers())).isEqualTo("test-source");
            assertThat(DenormqHeaders.id(record.headers())).isNotNegative();
            assertThat(DenormqHeaders.sequence(record.headers())).isNotNegative();
            if (record.key() == null) {
                keylessPartitions.add(record.partition());
            } else {
                // per key, in the order of the commits (one publishing thread: release order is commit order)
                assertThat(n).isGreaterThan(lastOrderOfKey.getOrDefault(record.key(), -1));
                lastOrderOfKey.put(record.key(), n);
            }
        }
        assertThat(keylessPartitions).as("keyless records spread by message id").hasSizeGreaterThan(1);
        KafkaBridgeStats stats = bridge.stats();
        assertThat(stats.acknowledged()).isEqualTo(committed.size());
        assertThat(stats.notForwarded()).isEqualTo(committed.size()); // the "audit" twins
        assertThat(stats.resent()).isZero();
        assertThat(stats.inFlightRecords()).isZero();
        assertThat(stats.inFlightBytes()).as("bytes counted in by the handler thread, out by the producer's").isZero();
    }

    @Test
    void shouldCopyTheMessagesHeadersWithTheirTraceparentIntoTheRecordAndKeepItsOwn() throws Exception {
        broker.createTopic(topic, 1);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        try (KafkaBridge bridge = KafkaBridge.builder().bootstrapServers(broker.bootstrapServers())
                .topic("order-placed", topic).source("test-source").build();
             DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build()) {
            ProgrammaticTransactions.run(database, connection -> {
                insert(connection, 1, "c-1");
                queue.publish("order-placed", "c-1", bytes("traced"), io.denormq.Headers.of(DenormqHeaders.TRACEPARENT,
                        traceparent).with("tenant", "Zürich").with(DenormqHeaders.ID, "not the bridge's"));
                queue.publish("order-placed", "c-1", bytes("plain"));
                return null;
            });
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            List<ConsumerRecord<String, byte[]>> records = TopicContents.read(broker.bootstrapServers(), topic).records();
            assertThat(records).hasSize(2);
            org.apache.kafka.common.header.Headers traced = records.get(0).headers();
            assertThat(new String(traced.lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo(traceparent);
            assertThat(new String(traced.lastHeader("tenant").value(), StandardCharsets.UTF_8)).isEqualTo("Zürich");
            assertThat(traced.headers(DenormqHeaders.ID)).as("the bridge's own id only").hasSize(1);
            assertThat(DenormqHeaders.id(traced)).isNotNegative();
            assertThat(DenormqHeaders.topic(traced)).isEqualTo("order-placed");
            assertThat(DenormqHeaders.source(traced)).isEqualTo("test-source");
            org.apache.kafka.common.header.Headers plain = records.get(1).headers();
            assertThat(plain.lastHeader("traceparent")).isNull();
            assertThat(plain.toArray()).extracting(org.apache.kafka.common.header.Header::key)
                    .containsExactly(DenormqHeaders.ID, DenormqHeaders.SEQUENCE, DenormqHeaders.TOPIC, DenormqHeaders.SOURCE);
        }
    }

    @Test
    void shouldKeepOrderWhenTheInFlightCapMakesItWaitForTheOldest() throws Exception {
        broker.createTopic(topic, 2);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .defaultTopic(topic)
                .maxInFlightRecords(3)
                .maxInFlightBytes(1024)
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir).handler("kafka", bridge).build();
        for (int i = 0; i < 500; i++) {
            queue.publish("anything", "key-" + (i % 5), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        TopicContents contents = TopicContents.read(broker.bootstrapServers(), topic);
        queue.close();
        bridge.close();

        assertThat(contents.payloads()).hasSize(500).doesNotHaveDuplicates();
        assertThat(contents.orderViolations()).isEmpty();
        Map<String, Integer> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : contents.records()) {
            int n = Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8));
            assertThat(n).isGreaterThan(last.getOrDefault(record.key(), -1));
            last.put(record.key(), n);
        }
    }

    @Test
    void shouldLetTheQueueDeadLetterARecordKafkaRefusesOutrightAndGoOn() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .defaultTopic(topic)
                .producerProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2048)
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(5)))
                .handler("kafka", bridge)
                .build();
        queue.publish("t", "k", "before".getBytes(StandardCharsets.UTF_8));
        queue.publish("t", "k", new byte[4096]);
        queue.publish("t", "k", "after".getBytes(StandardCharsets.UTF_8));
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(queue.deadLetters()).hasSize(1);
        assertThat(queue.deadLetters().get(0).error()).contains("RecordTooLargeException");
        queue.close();
        bridge.close();

        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("before", "after");
    }

    @Test
    void shouldAcknowledgeNothingMoreWhenClosedBeforeItsQueueAndSendItAfterTheRestart() throws Exception {
        broker.createTopic(topic, 1);
        KafkaBridge first = bridgeToBroker().defaultTopic(topic).build();
        DenormQueue queue = DenormQueue.builder(journalDir).shutdownTimeout(Duration.ofSeconds(1))
                .handler("kafka", first).build();
        queue.publish("t", "k", "one".getBytes(StandardCharsets.UTF_8));
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        first.close(); // out of order: the queue still runs
        queue.publish("t", "k", "two".getBytes(StandardCharsets.UTF_8));
        assertThat(queue.awaitProcessed(Duration.ofSeconds(1))).as("a closed bridge holds its message").isFalse();
        queue.close(); // stops the held handler after its shutdown timeout
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("one");

        KafkaBridge second = bridgeToBroker().defaultTopic(topic).build();
        DenormQueue again = DenormQueue.builder(journalDir).handler("kafka", second).build();
        assertThat(again.awaitProcessed(AWAIT)).isTrue();
        again.close();
        second.close();
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).containsExactly("one", "two");
    }

    private static void insert(Connection connection, int id, String customer) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("insert into orders values (" + id + ", '" + customer + "')");
        }
    }
}
