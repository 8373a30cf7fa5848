package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.denormq.powercut.PowerCutFileSystem;
import io.denormq.powercut.PowerCutFileSystem.Metadata;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

/**
 * Power cuts, simulated by {@link PowerCutFileSystem}: a child JVM ({@link PowerCutChild}) commits
 * from a few threads on a journal whose file system keeps only what was synced, and is killed with
 * {@code kill -9} at a random moment; then the power is cut (everything not synced is dropped), the
 * durable image is mounted again and a queue started on it. Each cycle checks:
 *
 * <ol>
 * <li><b>What the flush policy promises about commits.</b> {@link FlushPolicy#everyCommit()}: every
 * commit that returned in the child is delivered, by the child before the cut or after the restart.
 * {@link FlushPolicy#periodic(Duration)}: every commit that returned more than the interval plus
 * {@value #PERIODIC_SLACK_MS} ms before the kill (see {@link #PERIODIC_SLACK_MS}); how many of the
 * later ones were lost is reported. {@link FlushPolicy#none()}: nothing; losses are reported.</li>
 * <li><b>Every message that survived the cut is delivered by the restart</b>, whatever the policy: a
 * second start, rebuilding the handler "h" from the start of the journal ({@link DenormQueueBuilder#rebuild}),
 * is delivered every committed message the durable journal holds; each of them must have been
 * delivered to "h" by the child (whose handler returned, so its cursor may be past it) or by the first
 * start after the cut. One that was not lies behind a cursor beyond what the journal holds (a skip),
 * or belongs to a batch whose release the first start missed (released by recovery only at the
 * rebuild's start, which the WARN of {@code JournalRecovery} shows). Under {@code none()} this is what
 * "losing only an unflushed tail" can be checked as: whatever was lost, nothing that survived is
 * passed over. The restart must also catch up within {@link #CATCH_UP} without anything published,
 * and start at all.</li>
 * <li><b>New messages are not written under a cursor</b>: messages published on the restarted queue
 * are all delivered (after a power cut Chronicle appends at the index after the last durable record;
 * a cursor at or beyond it would skip them).</li>
 * </ol>
 *
 * <p>Cycles chain on one journal: each starts on what the previous one left, so a cursor that became
 * durable ahead of the journal shows up as messages of a later cycle that are never delivered. With
 * {@code rollover} the journal's clock ({@link RunningClock}) is set a moment before midnight UTC of
 * a new day at every cycle (and to noon of that day for the restart), so that each cycle writes into
 * two daily cycle files, and retention is zero and applied every few hundred ms by the child: days
 * that every cursor passed are deleted while the child commits, and the cut may bring an undurable
 * deletion back.
 *
 * <p>{@code -Ddenormq.powercut.cycles=N} runs N cycles per test (default {@value #DEFAULT_CYCLES}).
 * Needs FUSE: {@value PowerCutFileSystem#INSTALL}; under {@code CI=true} its absence fails the test.
 */
class PowerCutTest extends QueueTestSupport {
    private static final int DEFAULT_CYCLES = 2;
    private static final int CYCLES = Integer.getInteger("denormq.powercut.cycles", DEFAULT_CYCLES);
    private static final int THREADS = 3;
    private static final long PER_CYCLE = 100_000_000L;
    /** Numbers of the messages published after a restart: {@code cycle * PER_CYCLE + AFTER_RESTART + i}. */
    private static final long AFTER_RESTART = 90_000_000L;
    private static final int PUBLISHED_AFTER_RESTART = 20;
    private static final long PERIODIC_MS = 50;
    /**
     * What a commit under {@code periodic(d)} may wait beyond d for its record to be on the disk: the
     * flusher parks d between the end of one flush and the start of the next, so a record written as
     * a flush starts waits for that flush, d, and the next flush (each an msync and fsync through
     * FUSE), plus whatever delays the flusher thread on a loaded 2-core machine (scheduling, GC,
     * safepoints). Measured: see README, Flush policies.
     */
    private static final long PERIODIC_SLACK_MS = 250;
    /** The first day of the rollover cycles' clock: cycle c runs across midnight of FIRST_DAY + c. */
    private static final Instant FIRST_DAY = Instant.parse("2030-03-01T00:00:00Z");
    /** How long a restarted queue may take to deliver what the journal holds (a few thousand messages). */
    private static final Duration CATCH_UP = Duration.ofSeconds(15);
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);

    /** The child's handler never returns: every acknowledged commit must come back from the journal. */
    @Test
    void shouldDeliverEveryAcknowledgedCommitAfterAPowerCut() throws Exception {
        run(new Scenario("hold", "everyCommit", true, Metadata.POSIX, false));
    }

    /** The child's handler acknowledges as it goes: no message may be skipped by a cursor after the cut. */
    @Test
    void shouldSkipNothingWhenHandlersAcknowledgedBeforeThePowerCut() throws Exception {
        run(new Scenario("ack", "everyCommit", true, Metadata.POSIX, false));
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
        run(new Scenario("hold", "everyCommit", false, metadata, false));
    }

    /**
     * Every cycle crosses midnight and retention deletes the days the handler passed: a new day's file,
     * the previous day's tail and a deletion are all in flight when the power goes.
     */
    @Test
    void shouldLoseNothingAcknowledgedAcrossTheDayRolloverAndRetention() throws Exception {
        run(new Scenario("ack", "everyCommit", true, Metadata.POSIX, true));
    }

    /** {@code periodic(50 ms)}, across midnight: only the commits of the last interval may be lost. */
    @Test
    void shouldLoseAtMostTheLastIntervalUnderPeriodicFlushes() throws Exception {
        run(new Scenario("hold", "periodic:" + PERIODIC_MS, true, Metadata.POSIX, true));
    }

    /**
     * {@code none()}, across midnight, the handler acknowledging: commits may be lost, but nothing that
     * survived may be skipped, and the queue must go on.
     */
    @Test
    void shouldSkipNothingThatSurvivedWithoutFlushes() throws Exception {
        run(new Scenario("ack", "none", true, Metadata.POSIX, true));
    }

    /**
     * One power-cut test.
     *
     * @param mode     the child's handler: {@code hold} or {@code ack}
     * @param flush    the child's flush policy, as {@link PowerCutChild#flushPolicy} reads it
     * @param synced   whether the journal was created and synced before the first cycle
     * @param metadata when directory entries become durable
     * @param rollover whether every cycle crosses midnight, with retention zero
     */
    private record Scenario(String mode, String flush, boolean synced, Metadata metadata, boolean rollover) {
        /**
         * @param ageMillis how long before the kill the commit returned (negative if after the moment the
         *                  kill was decided)
         * @return whether the flush policy promises that the commit survives the power cut
         */
        boolean promises(long ageMillis) {
            return switch (flush) {
                case "everyCommit" -> true;
                case "none" -> false;
                default -> ageMillis > promisedAfterMillis();
            };
        }

        /** @return how long before the kill a commit must have returned to be promised, or -1 for never */
        long promisedAfterMillis() {
            return switch (flush) {
                case "everyCommit" -> 0;
                case "none" -> -1;
                default -> PowerCutChild.flushPolicy(flush).interval().toMillis() + PERIODIC_SLACK_MS;
            };
        }

        DenormQueueBuilder builder(Path journal, Instant clock) {
            DenormQueueBuilder builder = DenormQueue.builder(journal);
            if (rollover) {
                builder.clock(new RunningClock(clock)).retention(Duration.ZERO);
            }
            return builder;
        }

        @Override
        public String toString() {
            return mode + ", " + flush + ", " + metadata + " metadata" + (synced ? "" : ", fresh journal")
                    + (rollover ? ", day rollover and retention" : "");
        }
    }

    private void run(Scenario scenario) throws Exception {
        PowerCutFileSystem.requireAvailable("Power-cut tests");
        long started = System.nanoTime();
        Path base = journalDir.getParent();
        Path outcome = base.resolve("outcome.log");
        Files.createFile(outcome);
        try (PowerCutFileSystem fs = PowerCutFileSystem.mount(base.resolve("durable"), base.resolve("mnt"),
                scenario.metadata())) {
            Path journal = fs.mountPoint().resolve("journal");
            if (scenario.synced()) {
                // the journal, its cycle file and the handler's cursor exist and were synced before the first cut
                Recorder setup = new Recorder();
                try (DenormQueue queue = scenario.builder(journal, FIRST_DAY.plusMillis(DAY_MS / 2))
                        .handler("h", setup).build()) {
                    queue.publish("powercut", "k", utf8("-1"));
                    awaitProcessed(queue);
                }
                appendDelivered(outcome, setup.payloads());
                BackgroundResourceReleaser.releasePendingResources(); // Chronicle unmaps after close, in the background
                fs.sync();
                fs.cutPower(); // loses nothing: every cycle's child starts on a fresh mount, its statistics its own
                fs.remount();
            }

            List<String> report = new ArrayList<>();
            Set<Long> lost = new TreeSet<>();
            Set<Long> skipped = new TreeSet<>();
            Set<Long> lostAfterRestart = new TreeSet<>();
            long checked = 0;
            long lostOfTheLastInterval = 0;
            long lastInterval = 0;
            Set<Long> promisedLost = new TreeSet<>();
            List<String> stalls = new ArrayList<>();
            String refused = null;
            int cyclesRun = 0;
            int deletedBefore = 0;
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                Instant midnight = FIRST_DAY.plusMillis(cycle * DAY_MS);
                List<String> args = new ArrayList<>(List.of("mode=" + scenario.mode(), "flush=" + scenario.flush(),
                        "journal=" + journal, "outcome=" + outcome, "first=" + cycle * PER_CYCLE, "threads=" + THREADS));
                if (scenario.rollover()) {
                    // the child's queue starts 0.3-1.2 s before midnight and is killed 1-3 s after it started
                    args.add("clock=" + midnight.minusMillis(300 + ThreadLocalRandom.current().nextInt(900)));
                    args.add("retention=0");
                }
                long killedAt;
                cyclesRun = cycle;
                try (ChildJvm child = ChildJvm.start(PowerCutChild.class, args.toArray(String[]::new))) {
                    child.awaitReady(60);
                    Thread.sleep(1000 + ThreadLocalRandom.current().nextInt(2000));
                    killedAt = System.currentTimeMillis(); // the kill happens after this
                    child.kill9();
                    String stderr = child.stderr();
                    if (!stderr.isBlank()) {
                        System.out.println("power cut child stderr (cycle " + cycle + "):\n" + stderr);
                    }
                }
                String childFs = fs.cutPower();
                fs.remount();

                // the restart: delivers what the journal holds beyond the cursor, then takes new messages
                Recorder recorder = new Recorder();
                Instant restart = midnight.plusMillis(DAY_MS / 2);
                List<String> files;
                DenormQueue restarted;
                try {
                    restarted = scenario.builder(journal, restart).handler("h", recorder).build();
                } catch (JournalException e) {
                    Outcome seen = Outcome.read(outcome);
                    refused = String.format("cycle %d (%s): the restart after the power cut failed (%d files deleted by "
                                    + "retention in the child before the cut: %s; durable journal files %s): %s", cycle, scenario,
                            seen.deleted.size() - deletedBefore, seen.deleted.subList(deletedBefore, seen.deleted.size()),
                            cycleFiles(journal), e.getMessage());
                    System.out.println("power cut " + refused);
                    report.add(refused);
                    break;
                }
                try (DenormQueue queue = restarted) {
                    files = cycleFiles(journal);
                    stall(stalls, cycle, awaitProcessed(queue, journal, "the restart"));
                    for (int i = 0; i < PUBLISHED_AFTER_RESTART; i++) {
                        queue.publish("powercut", "k", utf8(Long.toString(cycle * PER_CYCLE + AFTER_RESTART + i)));
                    }
                    stall(stalls, cycle, awaitProcessed(queue, journal, "the messages published after the restart"));
                }
                // every message the journal holds, from its start
                Recorder rebuilt = new Recorder();
                try (DenormQueue queue = scenario.builder(journal, restart.plusSeconds(60)).handler("h", rebuilt)
                        .rebuild("h").build()) {
                    stall(stalls, cycle, awaitProcessed(queue, journal, "the rebuild"));
                }
                BackgroundResourceReleaser.releasePendingResources();
                fs.sync();
                fs.cutPower();
                fs.remount();
                appendDelivered(outcome, recorder.payloads());

                Outcome seen = Outcome.read(outcome);
                Set<Long> missing = new TreeSet<>(seen.acknowledged.keySet());
                missing.removeAll(seen.delivered);
                missing.removeAll(lost);
                lost.addAll(missing);
                Set<Long> notDelivered = new TreeSet<>();
                for (String payload : rebuilt.payloads()) {
                    long n = Long.parseLong(payload);
                    if (!seen.delivered.contains(n)) {
                        notDelivered.add(n);
                    }
                }
                skipped.addAll(notDelivered);
                Set<Long> newMissing = new TreeSet<>();
                for (int i = 0; i < PUBLISHED_AFTER_RESTART; i++) {
                    long n = cycle * PER_CYCLE + AFTER_RESTART + i;
                    if (!seen.delivered.contains(n)) {
                        newMissing.add(n);
                    }
                }
                lostAfterRestart.addAll(newMissing);

                long promised = scenario.promisedAfterMillis();
                long inCycle = seen.acknowledgedIn(cycle);
                int thisCycle = cycle;
                long young = seen.acknowledged.entrySet().stream().filter(e -> e.getKey() / PER_CYCLE == thisCycle
                        && !scenario.promises(killedAt - e.getValue())).count();
                long youngLost = missing.stream().filter(n -> !scenario.promises(killedAt - seen.acknowledged.get(n)))
                        .count();
                missing.stream().filter(n -> scenario.promises(killedAt - seen.acknowledged.get(n)))
                        .forEach(promisedLost::add);
                int deleted = seen.deleted.size() - deletedBefore;
                deletedBefore = seen.deleted.size();
                checked += inCycle - young;
                lastInterval += young;
                lostOfTheLastInterval += youngLost;
                long oldestLoss = missing.stream().mapToLong(n -> killedAt - seen.acknowledged.get(n)).max().orElse(-1);
                String line = String.format("cycle %d (%s): %d commits acknowledged (%d promised, %d acknowledged "
                                + "later%s), %d delivered before the cut, %d after the restart, %d acknowledged but never "
                                + "delivered%s%s, %d surviving messages delivered neither before the cut nor by the restart%s, %d of %d new messages lost; journal files at "
                                + "the restart %s, %d deleted by retention before the cut; file system during the run: %s",
                        cycle, scenario, inCycle, inCycle - young, young,
                        promised <= 0 ? "" : " than " + promised + " ms before the kill",
                        seen.deliveredInChildIn(cycle), recorder.payloads().size(), missing.size(),
                        missing.isEmpty() ? "" : " (" + sample(missing) + ")",
                        oldestLoss < 0 ? "" : ", the oldest acknowledged " + oldestLoss + " ms before the kill",
                        notDelivered.size(), notDelivered.isEmpty() ? "" : " (" + sample(notDelivered) + ", "
                                + notDelivered.stream().filter(seen.acknowledged::containsKey).count() + " of them acknowledged)",
                        newMissing.size(), PUBLISHED_AFTER_RESTART, files,
                        deleted, childFs);
                report.add(line);
                System.out.println("power cut " + line);
            }
            String summary = String.format("power cut summary (%s): %d cycles in %d s, %d commits acknowledged, %d of them "
                            + "promised and checked, %d lost of the %d not promised", scenario, cyclesRun,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), Outcome.read(outcome).acknowledged.size(),
                    checked, lostOfTheLastInterval, lastInterval);
            System.out.println(summary);
            report.add(summary);
            String all = String.join("\n", report);
            Outcome seen = Outcome.read(outcome);
            assertThat(refused).as("a queue must start on what a power cut left:%n%s", all).isNull();
            assertThat(seen.acknowledged).as("commits acknowledged over %d cycles", CYCLES).hasSizeGreaterThan(CYCLES * 10);
            assertThat(stalls).as("restarts whose handler stopped short of the journal's end (it may be waiting for an "
                    + "append to move on: the check goes on once the messages published after the restart arrive):%n%s",
                    all).isEmpty();
            assertThat(lostAfterRestart).as("messages published after a restart and never delivered:%n%s", all).isEmpty();
            assertThat(skipped).as("messages in the journal after a power cut (the rebuild delivers them), delivered neither by the child nor by "
                    + "the restarted queue (skipped by a cursor, or released only by a later start):%n%s",
                    all).isEmpty();
            assertThat(promisedLost).as("acknowledged commits that %s promises (acknowledged more than %d ms before the "
                    + "kill), never delivered:%n%s", scenario.flush(), scenario.promisedAfterMillis(), all).isEmpty();
        }
    }

    /**
     * Waits until the handlers processed everything the journal holds.
     *
     * @return null, or where the handler stopped if it did not catch up within {@link #CATCH_UP}
     */
    private static String awaitProcessed(DenormQueue queue, Path journal, String what) throws Exception {
        if (queue.awaitProcessed(CATCH_UP)) {
            return null;
        }
        io.denormq.internal.journal.Journal j = ((DefaultDenormQueue) queue).journal();
        return String.format("%s: not caught up within %s: cursors %s, journal's last index %x, files %s, handlers %s", what,
                CATCH_UP, queue.cursors().entrySet().stream().map(e -> e.getKey() + "=" + Long.toHexString(e.getValue()))
                        .toList(), j.lastIndex(), cycleFiles(journal), queue.stats().handlers());
    }

    private static void stall(List<String> stalls, int cycle, String stall) {
        if (stall != null) {
            stalls.add("cycle " + cycle + ", " + stall);
            System.out.println("power cut stall in cycle " + cycle + ", " + stall);
        }
    }

    private static List<String> cycleFiles(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".cq4")).sorted()
                    .toList();
        }
    }

    private static void appendDelivered(Path outcome, List<String> payloads) throws IOException {
        StringBuilder delivered = new StringBuilder();
        for (String payload : payloads) {
            delivered.append("R ").append(payload).append('\n');
        }
        Files.writeString(outcome, delivered, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    }

    private static String sample(Set<Long> numbers) {
        List<Long> sorted = new ArrayList<>(numbers);
        Collections.sort(sorted);
        return sorted.size() <= 6 ? sorted.toString()
                : sorted.subList(0, 3) + " ... " + sorted.subList(sorted.size() - 3, sorted.size());
    }

    /**
     * What the outcome file says: commits acknowledged in the child ({@code C <n> <ms>}, with the wall
     * clock time the commit returned), messages its handler processed ({@code D <n>}), messages
     * delivered after a restart ({@code R <n>}) and files the child's retention deleted ({@code X <file>}).
     */
    private record Outcome(Map<Long, Long> acknowledged, Set<Long> delivered, Set<Long> deliveredInChild,
                           List<String> deleted) {
        static Outcome read(Path file) throws IOException {
            Map<Long, Long> acknowledged = new HashMap<>();
            Set<Long> delivered = new TreeSet<>();
            Set<Long> deliveredInChild = new TreeSet<>();
            List<String> deleted = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] parts = line.split(" ");
                if (parts.length == 2 && parts[0].equals("X")) {
                    deleted.add(parts[1]);
                    continue;
                }
                long n;
                long at;
                try {
                    n = Long.parseLong(parts[1]);
                    at = parts.length == 3 ? Long.parseLong(parts[2]) : -1;
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException torn) {
                    continue;
                }
                switch (parts[0]) {
                    case "C" -> {
                        if (parts.length == 3) {
                            acknowledged.put(n, at);
                        }
                    }
                    case "D" -> {
                        delivered.add(n);
                        deliveredInChild.add(n);
                    }
                    case "R" -> delivered.add(n);
                    default -> { }
                }
            }
            return new Outcome(acknowledged, delivered, deliveredInChild, deleted);
        }

        long acknowledgedIn(int cycle) {
            return acknowledged.keySet().stream().filter(n -> n / PER_CYCLE == cycle).count();
        }

        long deliveredInChildIn(int cycle) {
            return deliveredInChild.stream().filter(n -> n / PER_CYCLE == cycle).count();
        }
    }
}
