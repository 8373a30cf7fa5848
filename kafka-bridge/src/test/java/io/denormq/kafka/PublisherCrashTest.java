package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.denormq.ChildJvm;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.kafka.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The publishing JVM ({@link PublisherChild}) is killed with {@code kill -9} while it commits and
 * the bridge has records in flight, and started again on the same journal, twice; a last run
 * drains. Every committed message is in Kafka, no rolled-back one is, per-key order holds, and the
 * duplicates (records acknowledged by the broker whose cursor was not yet written) are counted,
 * printed, and all dropped by {@link DenormqRecordDeduplicator}.
 */
@Timeout(240)
class PublisherCrashTest {
    private static final int KILLS = 4;

    private Path dir;
    private String topic;
    private KafkaBroker broker;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("denormq-kafka-crash-");
        broker = KafkaBroker.shared();
        topic = "crash-" + dir.getFileName().toString().replaceAll("[^0-9]", "");
        broker.createTopic(topic, 3);
    }

    @AfterEach
    void tearDown() {
        KafkaBroker.deleteRecursively(dir);
    }

    @Test
    void shouldLoseNoCommittedMessageWhenThePublisherIsKilledMidStream() throws Exception {
        Path journal = dir.resolve("journal");
        Path log = dir.resolve("outcomes.log");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int run = 0; run <= KILLS; run++) {
            boolean last = run == KILLS;
            long firstTx = nextTx(log);
            try (ChildJvm child = ChildJvm.start(PublisherChild.class, last ? "drain" : "run", journal.toString(),
                    broker.bootstrapServers(), topic, log.toString(), Long.toString(firstTx))) {
                child.awaitReady(120);
                if (last) {
                    assertThat(child.waitForExit(120)).as("the draining child exits").isTrue();
                    assertThat(Files.readString(log)).as(child.stderr()).contains("D .");
                } else {
                    long target = firstTx + 300 + random.nextInt(1200);
                    awaitCommitted(log, target, child);
                    child.kill9();
                }
                // what the bridge logged (failed sends, re-sends) is part of the report
                child.stderr().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                        .forEach(line -> System.out.println("  child run " + firstTx + ": " + line));
            }
        }

        Outcomes outcomes = Outcomes.read(log);
        TopicContents contents = TopicContents.read(broker.bootstrapServers(), topic);
        List<ConsumerRecord<String, byte[]>> kept = contents.deduplicated();
        System.out.printf("PublisherCrashTest (seed %d): %d kill(s); %d transaction(s) committed, %d rolled back, %d cut "
                        + "short by a kill; %d message(s) committed, %d record(s) in Kafka, %d duplicate(s) (%d message(s) "
                        + "sent twice or more), all dropped by the deduplicator: %s%n",
                seed, KILLS, outcomes.committed.size(), outcomes.rolledBack.size(), outcomes.unknown.size(),
                outcomes.committedPayloads().size(), contents.size(), contents.duplicates(),
                contents.duplicatedIds().size(), kept.size() == contents.distinctPayloads().size());

        Set<String> arrived = contents.distinctPayloads();
        assertThat(arrived).containsAll(outcomes.committedPayloads());                 // nothing committed is lost
        assertThat(arrived).doesNotContainAnyElementsOf(outcomes.rolledBackPayloads()); // nothing rolled back arrives
        Set<String> unexplained = new HashSet<>(arrived);
        unexplained.removeAll(outcomes.committedPayloads());
        for (long tx : outcomes.unknown.keySet()) {
            // killed between its journal write and its commit's return: all of its messages or none
            List<String> payloads = outcomes.payloads(tx, outcomes.unknown.get(tx));
            assertThat(arrived.containsAll(payloads) || payloads.stream().noneMatch(arrived::contains))
                    .as("transaction %d cut short by a kill arrived whole or not at all", tx).isTrue();
            payloads.forEach(unexplained::remove);
        }
        assertThat(unexplained).as("records no transaction of the child published").isEmpty();
        assertThat(contents.orderViolations()).isEmpty();
        assertKeyOrder(kept);
        assertThat(kept).hasSize(arrived.size()); // the deduplicator dropped every duplicate and nothing else
    }

    /** One publishing thread: a key's first copies come in transaction order. */
    private static void assertKeyOrder(List<ConsumerRecord<String, byte[]>> kept) {
        Map<String, long[]> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : kept) {
            if (record.key() == null) {
                continue;
            }
            String[] parts = new String(record.value(), StandardCharsets.UTF_8).split(":");
            long[] position = {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
            long[] previous = last.put(record.key(), position);
            if (previous != null) {
                assertThat(position[0] > previous[0] || (position[0] == previous[0] && position[1] > previous[1]))
                        .as("key %s: %d:%d after %d:%d", record.key(), position[0], position[1], previous[0], previous[1])
                        .isTrue();
            }
        }
    }

    private static void awaitCommitted(Path log, long tx, ChildJvm child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (Outcomes.read(log).committed.stream().noneMatch(committed -> committed >= tx)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the child did not commit transaction " + tx + " within 120 s:\n" + child.stderr());
            }
            Thread.sleep(20);
        }
    }

    private static long nextTx(Path log) throws Exception {
        Outcomes outcomes = Outcomes.read(log);
        return outcomes.begun.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
    }

    /** What the child's log says about its transactions. */
    private static final class Outcomes {
        final Map<Long, Integer> begun = new HashMap<>();
        final Set<Long> committed = new HashSet<>();
        final Set<Long> rolledBack = new HashSet<>();
        final Map<Long, Integer> unknown = new HashMap<>();

        static Outcomes read(Path log) throws Exception {
            Outcomes outcomes = new Outcomes();
            if (!Files.exists(log)) {
                return outcomes;
            }
            Map<Long, Boolean> commits = new HashMap<>();
            for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
                if (!line.endsWith(" .")) {
                    continue; // cut short by a kill
                }
                String[] fields = line.split(" ");
                if (fields[0].equals("B")) {
                    long tx = Long.parseLong(fields[1]);
                    outcomes.begun.put(tx, Integer.parseInt(fields[2]));
                    commits.put(tx, fields[3].equals("C"));
                } else if (fields[0].equals("A")) {
                    outcomes.committed.add(Long.parseLong(fields[1]));
                }
            }
            outcomes.begun.forEach((tx, count) -> {
                if (!commits.get(tx)) {
                    outcomes.rolledBack.add(tx);
                } else if (!outcomes.committed.contains(tx)) {
                    outcomes.unknown.put(tx, count);
                }
            });
            return outcomes;
        }

        List<String> payloads(long tx, int count) {
            List<String> payloads = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                payloads.add(tx + ":" + i);
            }
            return payloads;
        }

        Set<String> committedPayloads() {
            Set<String> payloads = new HashSet<>();
            committed.forEach(tx -> payloads.addAll(payloads(tx, begun.get(tx))));
            return payloads;
        }

        Set<String> rolledBackPayloads() {
            Set<String> payloads = new HashSet<>();
            rolledBack.forEach(tx -> payloads.addAll(payloads(tx, begun.get(tx))));
            return payloads;
        }
    }
}
