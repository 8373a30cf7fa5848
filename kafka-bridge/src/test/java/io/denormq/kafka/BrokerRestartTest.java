package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.denormq.DenormQueue;
import io.denormq.HandlerStats;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.kafka.testing.TopicContents;
import io.denormq.tx.ProgrammaticTransactions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker is killed with {@code kill -9} while transactions commit and records are in flight,
 * stays down long enough for the producer to give up on them ({@code delivery.timeout.ms} is 3 s
 * here), and is started again: nothing is lost, commits never stopped, the bridge's lag showed in
 * the queue's stats meanwhile, and the duplicates its re-sends made are all dropped by the
 * deduplication rule.
 */
@Timeout(180)
class BrokerRestartTest {
    private static final String TOPIC = "restart";

    private Path dir;
    private KafkaBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        dir = Files.createTempDirectory("denormq-kafka-restart-");
        broker = KafkaBroker.start(dir.resolve("broker"));
        broker.createTopic(TOPIC, 3);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
        KafkaBroker.deleteRecursively(dir);
    }

    @Test
    void shouldLoseNothingWhenTheBrokerIsKilledAndRestartedMidStream() throws Exception {
        KafkaBridge bridge = KafkaBridge.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topic("order-placed", TOPIC)
                .source("restart-test")
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                // give up on a send after 3 s instead of 2 minutes, so that the bridge's own re-send runs
                .producerProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000)
                .producerProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000)
                .producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000)
                .producerProperty(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200)
                .build();
        DenormQueue queue = DenormQueue.builder(dir.resolve("journal")).handler("kafka", bridge).build();
        Set<String> committed = ConcurrentHashMap.newKeySet();
        AtomicLong commits = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> publisherFailure = new AtomicReference<>();
        Thread publisher = new Thread(() -> {
            try (Connection database = DriverManager.getConnection("jdbc:h2:mem:restart")) {
                database.setAutoCommit(false);
                try (Statement statement = database.createStatement()) {
                    statement.execute("create table orders(id bigint primary key)");
                }
                database.commit();
                for (long n = 0; !stop.get(); n += 4) {
                    long first = n;
                    List<String> payloads = new ArrayList<>();
                    ProgrammaticTransactions.run(database, connection -> {
                        for (long i = first; i < first + 4; i++) {
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("insert into orders values (" + i + ")");
                            }
                            String payload = Long.toString(i);
                            queue.publish("order-placed", "customer-" + (i % 17), payload.getBytes(StandardCharsets.UTF_8));
                            payloads.add(payload);
                        }
                        return null;
                    });
                    committed.addAll(payloads);
                    commits.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (SQLException | InterruptedException | RuntimeException e) {
                publisherFailure.set(e);
            }
        }, "publisher");
        publisher.start();

        awaitCommits(commits, 300);
        broker.kill();
        long commitsAtKill = commits.get();
        long downSince = System.nanoTime();
        HandlerStats worstLag = null;
        while (System.nanoTime() - downSince < Duration.ofSeconds(5).toNanos()) { // past delivery.timeout.ms
            HandlerStats stats = kafkaStats(queue);
            if (worstLag == null || stats.lagMillis() > worstLag.lagMillis()) {
                worstLag = stats;
            }
            Thread.sleep(100);
        }
        long commitsWhileDown = commits.get() - commitsAtKill;
        broker.start(); // same ports and log directory; recovers the killed broker's logs
        long downMillis = (System.nanoTime() - downSince) / 1_000_000;
        awaitCommits(commits, commits.get() + 300);
        stop.set(true);
        publisher.join();
        assertThat(publisherFailure.get()).isNull();
        assertThat(queue.awaitProcessed(Duration.ofSeconds(90))).isTrue();
        // read before closing anything: what the queue counts as processed must be in Kafka already
        TopicContents contents = TopicContents.read(broker.bootstrapServers(), TOPIC);
        KafkaBridgeStats stats = bridge.stats();
        queue.close();
        bridge.close();
        System.out.printf("BrokerRestartTest: broker down %d ms; %d commits while down; worst lag while down %d "
                        + "message(s) in the ring, %d unread record(s), %d ms; %d committed, %d records in Kafka, %d duplicate(s) %s; bridge %s%n",
                downMillis, commitsWhileDown, worstLag.lagMessages(), worstLag.unreadRecords(), worstLag.lagMillis(),
                committed.size(),
                contents.size(), contents.duplicates(), contents.duplicatedIds().size() > 20
                        ? "(" + contents.duplicatedIds().size() + " ids)" : contents.duplicatedIds(), stats);

        assertThat(commitsWhileDown).as("commits while the broker was down").isGreaterThan(100);
        assertThat(worstLag.lagMessages()).as("lag in the queue's stats while the broker was down").isPositive();
        assertThat(worstLag.lagMillis()).isGreaterThan(2000);
        assertThat(stats.failedRounds()).as("the producer gave up on records and the bridge re-sent them").isPositive();
        assertThat(contents.distinctPayloads()).isEqualTo(committed); // nothing lost, nothing extra
        assertThat(contents.orderViolations()).isEmpty();
        List<ConsumerRecord<String, byte[]>> kept = contents.deduplicated();
        assertThat(kept).hasSize(committed.size()); // the rule dropped every duplicate and nothing else
        assertThat(kept.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))).doesNotHaveDuplicates();
    }

    private static HandlerStats kafkaStats(DenormQueue queue) {
        return queue.stats().handlers().stream().filter(h -> h.name().equals("kafka")).findFirst().orElseThrow();
    }

    private static void awaitCommits(AtomicLong commits, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (commits.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + commits.get() + " commits, waiting for " + atLeast);
            }
            Thread.sleep(10);
        }
    }
}
