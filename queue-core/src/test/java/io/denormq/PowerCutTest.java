package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.denormq.powercut.PowerCutFileSystem;
import io.denormq.powercut.PowerCutFileSystem.Metadata;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

/**
 * Power cuts, simulated by {@link PowerCutFileSystem}: a child JVM commits from a few threads with
 * {@link FlushPolicy#everyCommit()} on a journal whose file system keeps only what was synced, and is
 * killed with {@code kill -9} at a random moment; then the power is cut (everything not synced is
 * dropped), the durable image is mounted again and a queue started on it. Every commit that returned
 * in the child must be delivered, by the child before the cut or after the restart.
 *
 * <p>Cycles chain on one journal: each starts on what the previous one left, so a handler's cursor
 * that became durable ahead of the journal shows up as messages of a later cycle that are never
 * delivered. The journal is created and synced (a clean shutdown) before the first cycle; see
 * {@link #shouldDeliverEveryAcknowledgedCommitOfAFreshJournalAfterAPowerCut} for a journal that was
 * not. {@code -Ddenormq.powercut.cycles=N} runs N cycles per test (default 3). Needs FUSE:
 * {@value PowerCutFileSystem#INSTALL}; under {@code CI=true} its absence fails the test.
 */
class PowerCutTest extends QueueTestSupport {
    private static final int CYCLES = Integer.getInteger("denormq.powercut.cycles", 3);
    private static final int THREADS = 3;
    private static final long PER_CYCLE = 100_000_000L;

    /** The child's handler never returns: every acknowledged commit must come back from the journal. */
    @Test
    void shouldDeliverEveryAcknowledgedCommitAfterAPowerCut() throws Exception {
        run("hold");
    }

    /** The child's handler acknowledges as it goes: no message may be skipped by a cursor after the cut. */
    @Test
    void shouldSkipNothingWhenHandlersAcknowledgedBeforeThePowerCut() throws Exception {
        run("ack");
    }

    /**
     * The first power cut hits a journal the child created: its directory, cycle file, format marker,
     * manifest and checkpoint were never synced by a clean shutdown. With {@link Metadata#POSIX} entries
     * they are durable only if the queue syncs the directories it creates files in; with
     * {@link Metadata#ORDERED} (ext4) every fsync commits them, but a file's content still needs its own
     * fsync.
     */
    @ParameterizedTest
    @EnumSource(Metadata.class)
    void shouldDeliverEveryAcknowledgedCommitOfAFreshJournalAfterAPowerCut(Metadata metadata) throws Exception {
        run("hold", false, metadata);
    }

    private void run(String mode) throws Exception {
        run(mode, true, Metadata.POSIX);
    }

    private void run(String mode, boolean synced, Metadata metadata) throws Exception {
        requireFuse();
        Path base = journalDir.getParent();
        Path outcome = base.resolve("outcome.log");
        Files.createFile(outcome);
        try (PowerCutFileSystem fs = PowerCutFileSystem.mount(base.resolve("durable"), base.resolve("mnt"), metadata)) {
            Path journal = fs.mountPoint().resolve("journal");
            if (synced) {
                // the journal, its cycle file and the handler's cursor exist and were synced before the first cut
                Recorder setup = new Recorder();
                try (DenormQueue queue = DenormQueue.builder(journal).handler("h", setup).build()) {
                    queue.publish("powercut", "k", utf8("-1"));
                    awaitProcessed(queue);
                }
                BackgroundResourceReleaser.releasePendingResources(); // Chronicle unmaps after close, in the background
                fs.sync();
                fs.cutPower(); // loses nothing: every cycle's child starts on a fresh mount, its statistics its own
                fs.remount();
            }

            List<String> report = new ArrayList<>();
            Set<Long> lost = new TreeSet<>();
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                try (ChildJvm child = ChildJvm.start(PowerCutChild.class, mode, journal.toString(), outcome.toString(),
                        Long.toString(cycle * PER_CYCLE), Integer.toString(THREADS))) {
                    child.awaitReady(60);
                    Thread.sleep(1000 + ThreadLocalRandom.current().nextInt(2000));
                    child.kill9();
                    String stderr = child.stderr();
                    if (!stderr.isBlank()) {
                        System.out.println("power cut child stderr (cycle " + cycle + "):\n" + stderr);
                    }
                }
                String childFs = fs.cutPower();
                fs.remount();

                Recorder recorder = new Recorder();
                try (DenormQueue queue = DenormQueue.builder(journal).handler("h", recorder).build()) {
                    awaitProcessed(queue);
                }
                BackgroundResourceReleaser.releasePendingResources();
                fs.sync();
                fs.cutPower();
                fs.remount();
                StringBuilder delivered = new StringBuilder();
                for (String payload : recorder.payloads()) {
                    delivered.append("R ").append(payload).append('\n');
                }
                Files.writeString(outcome, delivered, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);

                Outcome seen = Outcome.read(outcome);
                Set<Long> missing = new TreeSet<>(seen.acknowledged);
                missing.removeAll(seen.delivered);
                missing.removeAll(lost);
                lost.addAll(missing);
                String line = String.format("cycle %d (%s, %s metadata%s): %d commits acknowledged, %d delivered before the cut, "
                                + "%d after the restart, %d acknowledged but never delivered%s; file system during the run: %s",
                        cycle, mode, metadata, synced ? "" : ", fresh journal", seen.acknowledgedIn(cycle),
                        seen.deliveredInChildIn(cycle), recorder.payloads().size(),
                        missing.size(), missing.isEmpty() ? "" : " (" + sample(missing) + ")", childFs);
                report.add(line);
                System.out.println("power cut " + line);
            }
            Outcome seen = Outcome.read(outcome);
            assertThat(seen.acknowledged).as("commits acknowledged over %d cycles", CYCLES).hasSizeGreaterThan(CYCLES * 10);
            assertThat(lost).as("acknowledged commits never delivered after power cuts:%n%s", String.join("\n", report))
                    .isEmpty();
        }
    }

    private static String sample(Set<Long> numbers) {
        List<Long> sorted = new ArrayList<>(numbers);
        Collections.sort(sorted);
        return sorted.size() <= 6 ? sorted.toString()
                : sorted.subList(0, 3) + " ... " + sorted.subList(sorted.size() - 3, sorted.size());
    }

    private static void requireFuse() {
        String unavailable = PowerCutFileSystem.unavailable();
        if (unavailable == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and the power-cut file system cannot be set up: " + unavailable);
        }
        Assumptions.abort("Power-cut tests skipped: " + unavailable);
    }

    /**
     * What the outcome file says: commits acknowledged in the child ({@code C}), messages its handler
     * processed ({@code D}) and messages delivered after a restart ({@code R}).
     */
    private record Outcome(Set<Long> acknowledged, Set<Long> delivered, Set<Long> deliveredInChild) {
        static Outcome read(Path file) throws IOException {
            Set<Long> acknowledged = new TreeSet<>();
            Set<Long> delivered = new TreeSet<>();
            Set<Long> deliveredInChild = new TreeSet<>();
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    continue;
                }
                long n;
                try {
                    n = Long.parseLong(parts[1]);
                } catch (NumberFormatException torn) {
                    continue;
                }
                switch (parts[0]) {
                    case "C" -> acknowledged.add(n);
                    case "D" -> {
                        delivered.add(n);
                        deliveredInChild.add(n);
                    }
                    case "R" -> delivered.add(n);
                    default -> { }
                }
            }
            return new Outcome(acknowledged, delivered, deliveredInChild);
        }

        long acknowledgedIn(int cycle) {
            return acknowledged.stream().filter(n -> n / PER_CYCLE == cycle).count();
        }

        long deliveredInChildIn(int cycle) {
            return deliveredInChild.stream().filter(n -> n / PER_CYCLE == cycle).count();
        }
    }
}
