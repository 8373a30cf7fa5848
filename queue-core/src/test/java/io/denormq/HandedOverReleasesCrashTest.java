package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.inspect.JournalInspector;
import org.junit.jupiter.api.Test;

/**
 * Kills a child JVM with {@code kill -9} while it commits back to back, its outcomes handed to the
 * release writer: outcomes handed over but not yet written die with it. Their batches are in the
 * journal without an outcome, so recovery must release them: every message whose commit returned is
 * released after the restart.
 */
class HandedOverReleasesCrashTest extends QueueTestSupport {
    private static final int CYCLES = 3;

    @Test
    void shouldReleaseEveryCommittedMessageWhoseOutcomeDiedWithTheProcess() throws Exception {
        Path log = journalDir.resolveSibling("burst-child.log");
        long unresolvedAtKills = 0;
        long releasesRecords = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            try (ChildJvm child = ChildJvm.start(BurstCrashChild.class, journalDir.toString(),
                    Long.toString(cycle * 100_000_000L), log.toString())) {
                child.awaitReady(60);
                Thread.sleep(500 + ThreadLocalRandom.current().nextInt(500));
                child.kill9();
            }
            try (JournalInspector inspector = JournalInspector.open(journalDir)) {
                unresolvedAtKills += inspector.unresolvedBatches().size();
                releasesRecords = inspector.summary().recordsByKind().getOrDefault("RELEASES", 0L);
            }
        }
        assertThat(releasesRecords).as("RELEASES records: outcomes were handed over").isPositive();
        Set<Long> committed = new HashSet<>();
        int cutShort = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
            if (line.startsWith("C ") && line.endsWith(".")) {
                committed.add(Long.parseLong(line.substring(2, line.length() - 1)));
            } else if (!line.isEmpty()) {
                cutShort++; // written when the child was killed: its number is not claimed
            }
        }
        assertThat(cutShort).as("log lines cut short: at most one per kill").isLessThanOrEqualTo(CYCLES);
        DenormQueue queue = open(builder().handler("h", message -> { }));
        awaitProcessed(queue);
        queue.close();
        Map<Long, Long> releasedAt = new HashMap<>(); // message number -> sequence of its first release
        AtomicLong releasedTwice = new AtomicLong();
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            inspector.messages(-1, message -> {
                long n = Long.parseLong(new String(message.payload(), StandardCharsets.US_ASCII));
                Long first = releasedAt.putIfAbsent(n, message.sequence());
                if (first != null && releasedTwice.incrementAndGet() <= 10) {
                    System.out.printf("released twice: %d, id %x, sequence %x, first at sequence %x%n", n,
                            message.id(), message.sequence(), first);
                }
                return true;
            });
            assertThat(inspector.unresolvedBatches()).as("batches without outcome after recovery").isEmpty();
        }
        Set<Long> released = releasedAt.keySet();
        Set<Long> lost = new HashSet<>(committed);
        lost.removeAll(released);
        System.out.printf("burst crash test: %d cycles, %d committed, %d released, %d RELEASES records, %d batches "
                + "without outcome at the kills, %d lost, %d released twice%n", CYCLES, committed.size(), released.size(),
                releasesRecords, unresolvedAtKills, lost.size(), releasedTwice.get());
        assertThat(committed).as("the child committed in every cycle").hasSizeGreaterThan(CYCLES * 1000);
        assertThat(lost).as("committed messages not released after recovery").isEmpty();
        assertThat(releasedTwice.get()).as("messages released twice").isZero();
    }
}
