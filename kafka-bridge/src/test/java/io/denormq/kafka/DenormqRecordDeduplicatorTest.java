package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The deduplication rule on records as a consumer receives them. The broker tests run it on what
 * real crashes left in Kafka; here each case is spelled out, and a simulation checks the rule on
 * many partition logs shaped by the bridge's re-send discipline.
 */
class DenormqRecordDeduplicatorTest {
    private long offset;

    @Test
    void shouldDropARepeatedRunAndKeepWhatFollowsIt() {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        List<Long> kept = new ArrayList<>();
        // 10 20 30 written; the bridge crashed before its cursor passed them: 20 30 again, then new records
        for (long sequence : new long[] {10, 20, 30, 20, 30, 40, 50}) {
            if (!deduplicator.isDuplicate(record("t", 0, "a", sequence))) {
                kept.add(sequence);
            }
        }
        assertThat(kept).containsExactly(10L, 20L, 30L, 40L, 50L);
        assertThat(deduplicator.duplicates()).isEqualTo(2);
        assertThat(deduplicator.accepted()).isEqualTo(5);
        assertThat(deduplicator.highestSequence("t", 0, "a")).hasValue(50);
    }

    @Test
    void shouldKeepPartitionsTopicsAndSourcesApart() {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        assertThat(deduplicator.isDuplicate(record("t", 0, "a", 100))).isFalse();
        assertThat(deduplicator.isDuplicate(record("t", 1, "a", 5))).isFalse();   // another partition
        assertThat(deduplicator.isDuplicate(record("u", 0, "a", 5))).isFalse();   // another topic
        assertThat(deduplicator.isDuplicate(record("t", 0, "b", 5))).isFalse();   // another queue writing to it
        assertThat(deduplicator.isDuplicate(record("t", 0, "a", 100))).isTrue();
        assertThat(deduplicator.isDuplicate(record("t", 0, "b", 5))).isTrue();
        assertThat(deduplicator.highestSequence("t", 1, "a")).hasValue(5);
        assertThat(deduplicator.highestSequence("t", 2, "a")).isEmpty();
    }

    @Test
    void shouldDropWhatAPreviousConsumerAcceptedOnceRestored() {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        deduplicator.restore("t", 0, "a", 30);
        assertThat(deduplicator.isDuplicate(record("t", 0, "a", 30))).isTrue();
        assertThat(deduplicator.isDuplicate(record("t", 0, "a", 31))).isFalse();
    }

    @Test
    void shouldNeverCallRecordsWithoutDenormqHeadersDuplicates() {
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        ConsumerRecord<String, byte[]> foreign = new ConsumerRecord<>("t", 0, offset++, "k", new byte[0]);
        ConsumerRecord<String, byte[]> garbled = record("t", 0, "a", 1);
        garbled.headers().remove(DenormqHeaders.SEQUENCE).add(DenormqHeaders.SEQUENCE, "12x".getBytes(StandardCharsets.UTF_8));
        assertThat(deduplicator.isDuplicate(foreign)).isFalse();
        assertThat(deduplicator.isDuplicate(foreign)).isFalse();
        assertThat(deduplicator.isDuplicate(garbled)).isFalse();
        assertThat(deduplicator.isDuplicate(garbled)).isFalse();
        assertThatThrownBy(() -> DenormqHeaders.sequence(foreign.headers()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("denormq-sequence");
    }

    @Test
    void shouldReadBackEveryNumberTheBridgeWrites() {
        for (long value : new long[] {0, 1, 9, 10, Long.MAX_VALUE, -1, Long.MIN_VALUE + 1, 0x512c000000010000L}) {
            assertThat(DenormqHeaders.parseDecimal(DenormqHeaders.decimal(value))).isEqualTo(value);
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261201);
        for (int i = 0; i < 10_000; i++) {
            long value = i < 19 ? (long) Math.pow(10, i) - 1 + random.nextInt(2) : random.nextLong() >>> random.nextInt(64);
            assertThat(new String(DenormqHeaders.decimal(value), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
        }
        for (String bad : new String[] {"", "-", "1a", "+1", "99999999999999999999", "9223372036854775808"}) {
            assertThat(DenormqHeaders.parseDecimal(bad.getBytes(StandardCharsets.US_ASCII)))
                    .as(bad).isEqualTo(DenormqHeaders.INVALID);
        }
    }

    /**
     * Builds partition logs the way the bridge writes them: records go out in sequence order; a
     * crash or a failed send makes it re-send from its oldest unacknowledged record, in order; of a
     * run in flight, the broker may have written any prefix (per partition) before the failure. The
     * deduplicator must keep exactly one copy of each record, in sequence order.
     */
    @Test
    void shouldKeepExactlyOneCopyOfEachRecordOfAnyLogTheBridgeCanWrite() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            int partitions = 1 + random.nextInt(4);
            int messages = 1 + random.nextInt(60);
            int[] partitionOf = random.ints(messages, 0, partitions).toArray();
            List<List<Long>> logs = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                logs.add(new ArrayList<>());
            }
            int acknowledged = 0; // the cursor: every message before it is written and acknowledged
            while (acknowledged < messages) {
                int sentUpTo = acknowledged + 1 + random.nextInt(messages - acknowledged); // this round's run
                boolean fails = random.nextInt(3) == 0;
                boolean[] written = new boolean[messages];
                for (int p = 0; p < partitions; p++) {
                    // of this partition's records in the run, the broker writes a prefix (all if nothing fails)
                    List<Integer> run = new ArrayList<>();
                    for (int m = acknowledged; m < sentUpTo; m++) {
                        if (partitionOf[m] == p) {
                            run.add(m);
                        }
                    }
                    for (int m : run.subList(0, fails ? random.nextInt(run.size() + 1) : run.size())) {
                        logs.get(p).add((long) m);
                        written[m] = true;
                    }
                }
                // the cursor moves past an unbroken prefix of written records: all of it, or, when the round
                // failed (or the process crashed), as much of it as was acknowledged before
                int prefix = 0;
                while (acknowledged + prefix < sentUpTo && written[acknowledged + prefix]) {
                    prefix++;
                }
                acknowledged += fails ? random.nextInt(prefix + 1) : prefix;
            }
            DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
            Set<Long> kept = new HashSet<>();
            for (int p = 0; p < partitions; p++) {
                long previous = -1;
                for (long sequence : logs.get(p)) {
                    if (!deduplicator.isDuplicate(record("t", p, "a", sequence))) {
                        assertThat(kept.add(sequence)).as("a second copy of %d kept", sequence).isTrue();
                        assertThat(sequence).isGreaterThan(previous);
                        previous = sequence;
                    }
                }
            }
            assertThat(kept).as("trial %d", trial).hasSize(messages);
        }
    }

    private ConsumerRecord<String, byte[]> record(String topic, int partition, String source, long sequence) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(DenormqHeaders.ID, DenormqHeaders.decimal(sequence * 7)));
        headers.add(new RecordHeader(DenormqHeaders.SEQUENCE, DenormqHeaders.decimal(sequence)));
        headers.add(new RecordHeader(DenormqHeaders.TOPIC, "denormq-topic".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(DenormqHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(topic, partition, offset++, 0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, "k", new byte[0], headers, java.util.Optional.empty());
    }
}
