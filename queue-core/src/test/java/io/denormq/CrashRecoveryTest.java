package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Kills a publishing, dispatching child JVM with {@code kill -9} several times, then checks that every
 * message whose commit returned was processed at least once across all runs.
 */
class CrashRecoveryTest extends QueueTestSupport {
    private static final int CYCLES = 3;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldDeliverEveryCommittedMessageAfterKill9(Durability durability) throws Exception {
        Set<Long> committed = new HashSet<>();
        Set<Long> processed = new HashSet<>();
        Path log = journalDir.resolveSibling("crash-child.log");
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            try (ChildJvm child = ChildJvm.start(CrashChild.class, "publish", journalDir.toString(), durability.name(),
                    Long.toString(cycle * 100_000_000L), log.toString())) {
                child.awaitReady(60);
                Thread.sleep(300 + ThreadLocalRandom.current().nextInt(700));
                child.kill9();
            }
        }
        collect(log, committed, processed);
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().durability(durability).handler("h", recorder));
        awaitProcessed(queue);
        for (String payload : recorder.payloads()) {
            processed.add(Long.parseLong(payload));
        }
        Set<Long> lost = new HashSet<>(committed);
        lost.removeAll(processed);
        System.out.printf("crash test %s: %d cycles, %d committed, %d processed, %d lost, %d redelivered after restart%n",
                durability, CYCLES, committed.size(), processed.size(), lost.size(),
                recorder.redelivered.stream().filter(b -> b).count());
        if (!lost.isEmpty()) {
            java.util.List<Long> sortedLost = new java.util.ArrayList<>(lost);
            java.util.Collections.sort(sortedLost);
            System.out.println("lost sample: " + sortedLost.subList(0, Math.min(20, sortedLost.size()))
                    + " ... " + sortedLost.get(sortedLost.size() - 1) + " max committed per cycle: "
                    + committed.stream().collect(java.util.stream.Collectors.groupingBy(n -> n / 100_000_000L,
                    java.util.stream.Collectors.summarizingLong(n -> n))));
        }
        assertThat(committed).as("the child committed something in every cycle").hasSizeGreaterThan(CYCLES * 10);
        assertThat(lost).as("committed messages never processed").isEmpty();
    }

    @Test
    void shouldNameTheProcessHoldingTheJournal() throws Exception {
        try (ChildJvm child = ChildJvm.start(CrashChild.class, "hold", journalDir.toString())) {
            child.awaitReady(60);
            assertThatThrownBy(() -> DenormQueue.builder(journalDir).build())
                    .isInstanceOf(JournalLockedException.class)
                    .hasMessageContaining("pid=" + child.pid())
                    .hasMessageContaining(journalDir.toString());
            child.kill9();
        }
        // The operating system released the dead holder's lock.
        open(builder()).close();
    }

    private static void collect(Path log, Set<Long> committed, Set<Long> processed) throws IOException {
        for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
            String[] parts = line.split(" ");
            if (parts.length != 2 || parts[1].isEmpty()) {
                continue;
            }
            long n;
            try {
                n = Long.parseLong(parts[1]);
            } catch (NumberFormatException torn) {
                continue;
            }
            if (parts[0].equals("C")) {
                committed.add(n);
            } else if (parts[0].equals("D")) {
                processed.add(n);
            }
        }
    }
}
