package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

/**
 * A handler run as several partitions: per-key order holds, each key stays on one thread, every
 * partition has its own cursor, and a restart with another partition count loses nothing.
 */
class PartitionedHandlerTest extends QueueTestSupport {
    private static final int KEYS = 1_000;

    /** Per key, the sequences delivered, in delivery order, and the threads that delivered them. */
    private final Map<String, List<Long>> sequences = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> threads = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> values = new ConcurrentHashMap<>();

    private MessageHandler recorder() {
        return message -> {
            String key = message.key();
            sequences.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(message.sequence());
            threads.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
            values.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(Integer.parseInt(message.payload(Codecs.utf8())));
        };
    }

    private DenormQueue start(int partitions) {
        return builder().handler("totals", partitions, partition -> recorder()).build();
    }

    private static void publish(DenormQueue queue, int from, int to) {
        for (int i = from; i < to; i++) {
            queue.publish("t", "key-" + (i % KEYS), utf8(Integer.toString(i)));
        }
    }

    @Test
    void shouldKeepPerKeyOrderOnOneThreadPerKeyAcrossARestartWithAnotherPartitionCount() throws Exception {
        DenormQueue first = start(4);
        publish(first, 0, 20_000);
        awaitProcessed(first);
        assertThat(first.cursors()).containsOnlyKeys("totals#0", "totals#1", "totals#2", "totals#3");
        assertThat(threads.values()).allSatisfy(names -> assertThat(names).hasSize(1));
        Set<String> used = new HashSet<>();
        threads.values().forEach(used::addAll);
        assertThat(used).as("the keys spread over every partition").hasSize(4);
        publish(first, 20_000, 30_000);
        first.close(); // some of these may be in flight: the restart delivers them again

        threads.clear();
        DenormQueue second = open(builder().handler("totals", 3, partition -> recorder()));
        publish(second, 30_000, 40_000);
        awaitProcessed(second);
        assertThat(second.cursors()).containsOnlyKeys("totals#0", "totals#1", "totals#2");
        assertThat(threads.values()).allSatisfy(names -> assertThat(names).hasSize(1));

        for (int key = 0; key < KEYS; key++) {
            List<Integer> seen = values.get("key-" + key);
            List<Integer> expected = new ArrayList<>();
            for (int i = key; i < 40_000; i += KEYS) {
                expected.add(i);
            }
            assertThat(new ArrayList<>(new java.util.LinkedHashSet<>(seen))).as("key-%d: every message, first "
                    + "deliveries in release order", key).isEqualTo(expected);
            List<Long> delivered = sequences.get("key-" + key);
            for (int i = 1; i < delivered.size(); i++) {
                if (delivered.get(i) <= delivered.get(i - 1)) {
                    // only a restart may go back, and only to re-deliver what was delivered before
                    assertThat(delivered.subList(0, i)).contains(delivered.get(i));
                }
            }
        }
    }

    @Test
    void shouldRefuseAPartitionCountOutOfRange() {
        assertThatThrownBy(() -> builder().handler("h", 0, partition -> recorder()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("1 to 64");
        assertThatThrownBy(() -> builder().handler("h", 2, partition -> null).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("returned null for partition 0");
    }
}
