package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.denormq.internal.journal.IoFaults;
import io.denormq.internal.journal.Journal;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;

/**
 * Retention deletes old daily cycle files only when no cursor, no pending transaction and no
 * retention period still needs them. A settable clock makes the past days.
 */
class RetentionTest extends QueueTestSupport {
    private static final long DAY = TimeUnit.DAYS.toMillis(1);
    private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-10-01T12:00:00Z"));

    private DenormQueueBuilder queueBuilder() {
        return builder().clock(clock).retention(Duration.ofDays(7));
    }

    private int daysPublished;

    /** One message per day for {@code days} days, starting today on the clock; payloads "day-0", "day-1", ... */
    private void publishDaily(DenormQueue queue, int days) {
        for (int day = 0; day < days; day++) {
            queue.publish("t", "k", utf8("day-" + daysPublished++));
            clock.advanceMillis(DAY);
        }
    }

    private List<String> cycleDays(DenormQueue queue) {
        return ((DefaultDenormQueue) queue).journal().cycleFiles().stream()
                .map(file -> LocalDate.ofEpochDay(file.cycle()).toString()).toList();
    }

    /**
     * The reader moves the recovery low-water mark when it finds the journal idle, a moment after
     * the handlers caught up: until then retention rightly keeps the pending batch's day.
     */
    private static List<Path> retainOnceTheReaderIsIdle(DenormQueue queue) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        List<Path> deleted = retain(queue);
        while (deleted.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            deleted = retain(queue);
        }
        return deleted;
    }

    private static List<Path> retain(DenormQueue queue) {
        return ((DefaultDenormQueue) queue).applyRetention();
    }

    @Test
    void shouldDeleteOnlyProcessedCyclesOlderThanTheRetention() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(queueBuilder().handler("h", recorder));
        publishDaily(queue, 11); // 2026-10-01 .. 2026-10-11; the clock is now 2026-10-12T12:00
        awaitProcessed(queue);
        assertThat(cycleDays(queue)).hasSize(11);

        List<Path> deleted = retainOnceTheReaderIsIdle(queue);
        // a day is kept until 7 days after it ended: 10-01 .. 10-04 ended by 10-05T00:00, +7 d <= 10-12T12:00
        assertThat(deleted).extracting(path -> path.getFileName().toString())
                .containsExactly("20261001F.cq4", "20261002F.cq4", "20261003F.cq4", "20261004F.cq4");
        assertThat(cycleDays(queue)).first().isEqualTo("2026-10-05");
        assertThat(retain(queue)).as("nothing more is due").isEmpty();

        queue.publish("t", "k", utf8("after"));
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize(12).last().isEqualTo("after");

        queue.close(); // deleted by retention, not lost: the journal opens again
        Recorder afterRestart = new Recorder();
        DenormQueue reopened = open(queueBuilder().handler("h", afterRestart));
        reopened.publish("t", "k", utf8("restarted"));
        awaitProcessed(reopened);
        assertThat(afterRestart.payloads()).containsExactly("restarted");
    }

    @Test
    void shouldKeepCyclesAHandlerHasNotProcessed() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        DenormQueue queue = open(queueBuilder().handler("fast", message -> { }).handler("stuck", message -> {
            if (message.payload(Codecs.utf8()).equals("day-2")) {
                release.await();
            }
        }));
        for (int day = 0; day < 2; day++) { // processed one by one: 'stuck' stores its cursor after each
            publishDaily(queue, 1);
            awaitProcessed(queue);
        }
        publishDaily(queue, 9);
        assertThat(retainOnceTheReaderIsIdle(queue)).extracting(path -> path.getFileName().toString())
                .as("'stuck' has its cursor in 10-02: only the day before it may go")
                .containsExactly("20261001F.cq4");
        release.countDown();
        awaitProcessed(queue);
        assertThat(retainOnceTheReaderIsIdle(queue)).hasSize(3);
    }

    @Test
    void shouldKeepTheCycleOfATransactionAwaitingItsOutcome() throws Exception {
        DenormQueue queue = open(queueBuilder().transactions(ProgrammaticTransactions.binding())
                .handler("h", message -> { }));
        AtomicReference<List<Path>> deletedDuringCommit = new AtomicReference<>();
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("pending"));
            tx.commit(() -> { // the batch is journaled (WRITE_AHEAD), the outcome not yet
                clock.advanceMillis(20 * DAY);
                Thread other = new Thread(() -> queue.publish("t", "k", utf8("later"))); // outside the transaction
                other.start();
                other.join();
                assertThat(queue.awaitProcessed(AWAIT)).isTrue();
                deletedDuringCommit.set(retain(queue));
            });
        }
        assertThat(deletedDuringCommit.get()).as("the pending batch's day is kept").isEmpty();
        // the release, 20 days after its batch, holds the batch's day until the cursor is past it: a
        // restart would read the release at the cursor again, and its batch with it
        queue.publish("t", "k", utf8("next"));
        awaitProcessed(queue);
        assertThat(retainOnceTheReaderIsIdle(queue)).extracting(path -> path.getFileName().toString())
                .containsExactly("20261001F.cq4");
    }

    /**
     * A transaction journaled before midnight and released after it: after a restart the handler's
     * reader starts at its cursor, past the batch, and meets the release only when it works through
     * its backlog, reading the batch from its day then. That day must outlive the release's backlog.
     */
    @Test
    void shouldKeepTheDayOfABatchReleasedAfterMidnightUntilEveryHandlerPassedTheRelease() throws Exception {
        assertTheBatchDayOutlivesTheBacklogBeforeItsRelease(false);
    }

    /** The same with the batch released by recovery, at the end of the journal of a later day. */
    @Test
    void shouldKeepTheDayOfABatchReleasedByRecoveryUntilEveryHandlerPassedTheRelease() throws Exception {
        assertTheBatchDayOutlivesTheBacklogBeforeItsRelease(true);
    }

    private void assertTheBatchDayOutlivesTheBacklogBeforeItsRelease(boolean stopBeforeTheOutcome) throws Exception {
        int backlog = 1700; // more than a ring, and enough reads (1024) for the reader to move the low-water mark
        CountDownLatch never = new CountDownLatch(1);
        DenormQueue first = open(queueBuilder().ringSize(64).shutdownTimeout(Duration.ofMillis(100))
                .transactions(ProgrammaticTransactions.binding()).handler("h", message -> {
                    if (message.payload(Codecs.utf8()).equals("backlog-0")) {
                        never.await(); // stuck until close: the cursor stays before the backlog
                    }
                }));
        clock.advanceMillis(TimeUnit.HOURS.toMillis(11)); // 2026-10-01T23:00
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            first.publish("t", "k", utf8("pending"));
            tx.commit(() -> { // the batch is in 10-01; its release after the backlog, in 10-02 or at the next start
                clock.advanceMillis(TimeUnit.HOURS.toMillis(2));
                runOutsideTheTransaction(() -> first.publish("t", "k", utf8("after-midnight")));
                awaitProcessed(first); // the cursor of 'h' is now past the batch
                runOutsideTheTransaction(() -> {
                    for (int i = 0; i < backlog; i++) {
                        first.publish("t", "k", utf8("backlog-" + i));
                    }
                });
                if (stopBeforeTheOutcome) {
                    first.close(); // as if the process stopped here: the next start releases the batch
                }
            });
        }
        first.close();

        clock.advanceMillis(20 * DAY);
        Recorder recorder = new Recorder();
        DenormQueue second = open(queueBuilder().ringSize(64).shutdownTimeout(Duration.ofMillis(100))
                .handler("h", message -> {
                    if (message.payload(Codecs.utf8()).equals("backlog-1500")) {
                        never.await(); // the reader has read past 1024 records, not yet the release
                    }
                    recorder.onMessage(message);
                }));
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (recorder.payloads().size() < 1500 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(recorder.payloads()).as("'h' works through its backlog").hasSize(1500);
        assertThat(retain(second)).as("the batch's day is kept: the release of 'pending' is still ahead of 'h'")
                .extracting(path -> path.getFileName().toString()).doesNotContain("20261001F.cq4");
        second.close();

        Recorder afterRestart = new Recorder();
        DenormQueue third = open(queueBuilder().handler("h", afterRestart));
        awaitProcessed(third);
        assertThat(afterRestart.payloads()).as("the rest of the backlog, then the transaction's message")
                .hasSize(backlog - 1500 + 1).last().isEqualTo("pending");
        assertThat(third.stats().backgroundErrors()).as("no release lost its batch").isZero();
        third.publish("t", "k", utf8("next")); // the cursor moves past the release
        awaitProcessed(third);
        assertThat(retainOnceTheReaderIsIdle(third)).as("once 'h' passed the release the days go")
                .extracting(path -> path.getFileName().toString()).containsExactly("20261001F.cq4", "20261002F.cq4");
    }

    /** Publishes "poison" on today's clock and waits until the handler has dead-lettered it, on the same day. */
    private DeadLetter deadLetterToday(DenormQueue queue) throws InterruptedException {
        queue.publish("t", "k", utf8("poison"));
        awaitProcessed(queue);
        assertThat(queue.deadLetters()).hasSize(1);
        return queue.deadLetters().get(0);
    }

    private static List<String> fileNames(List<Path> paths) {
        return paths.stream().map(path -> path.getFileName().toString()).toList();
    }

    @Test
    void shouldKeepTheDayOfAnUnsettledDeadLetterUntilItIsDiscarded() throws Exception {
        DenormQueue queue = open(queueBuilder().handler("h", message -> {
            if (message.payload(Codecs.utf8()).equals("poison")) {
                throw new IllegalStateException("cannot process poison");
            }
        }));
        publishDaily(queue, 2); // 10-01, 10-02
        DeadLetter deadLetter = deadLetterToday(queue); // 10-03
        publishDaily(queue, 9); // 10-03 .. 10-11; 10-01 .. 10-04 are past the retention
        awaitProcessed(queue);

        assertThat(fileNames(retainOnceTheReaderIsIdle(queue)))
                .as("the days before the dead letter's go; its day, and the later ones, are kept")
                .containsExactly("20261001F.cq4", "20261002F.cq4");
        assertThat(queue.deadLetters()).as("still listed").containsExactly(deadLetter);

        queue.discard(deadLetter);
        assertThat(fileNames(retainOnceTheReaderIsIdle(queue))).as("settled: its day goes")
                .containsExactly("20261003F.cq4", "20261004F.cq4");
    }

    @Test
    void shouldKeepTheDayOfARedrivenDeadLetterUntilItsHandlerProcessedTheRedrive() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean fixed = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch gate = new CountDownLatch(1);
        Recorder recorder = new Recorder();
        DenormQueue queue = open(queueBuilder().handler("h", message -> {
            String payload = message.payload(Codecs.utf8());
            if (payload.equals("poison") && !fixed.get()) {
                throw new IllegalStateException("cannot process poison");
            }
            if (payload.equals("gate")) {
                gate.await();
            }
            recorder.onMessage(message);
        }));
        publishDaily(queue, 2);
        DeadLetter deadLetter = deadLetterToday(queue); // 10-03
        publishDaily(queue, 9);
        awaitProcessed(queue);
        assertThat(fileNames(retainOnceTheReaderIsIdle(queue))).containsExactly("20261001F.cq4", "20261002F.cq4");

        queue.publish("t", "k", utf8("gate")); // 'h' waits here, before the redrive
        fixed.set(true);
        queue.redrive(deadLetter);
        Thread.sleep(50); // the reader reads the redrive and goes idle
        assertThat(retain(queue)).as("settled, but the redrive still reads the dead letter from its day").isEmpty();

        gate.countDown();
        awaitProcessed(queue);
        assertThat(recorder.payloads()).last().isEqualTo("poison");
        queue.publish("t", "k", utf8("next")); // the cursor moves past the redrive
        awaitProcessed(queue);
        assertThat(fileNames(retainOnceTheReaderIsIdle(queue))).containsExactly("20261003F.cq4", "20261004F.cq4");
    }

    private static void runOutsideTheTransaction(Runnable action) throws InterruptedException {
        Thread other = new Thread(action);
        other.start();
        other.join();
    }

    @Test
    void shouldKeepCyclesForARetiredHandlerUntilItsCursorIsDropped() throws Exception {
        DenormQueue first = queueBuilder().handler("kept", message -> { }).handler("retired", message -> { }).build();
        first.publish("t", "k", utf8("day-0"));
        awaitProcessed(first);
        first.close();
        clock.advanceMillis(DAY);

        DenormQueue second = queueBuilder().handler("kept", message -> { }).build();
        publishDaily(second, 10);
        awaitProcessed(second);
        assertThat(retain(second)).as("the retired handler's cursor holds day 0").isEmpty();
        second.close();

        DenormQueue third = open(queueBuilder().handler("kept", message -> { }).dropCursor("retired"));
        assertThat(retainOnceTheReaderIsIdle(third)).isNotEmpty().first().satisfies(path ->
                assertThat(path.getFileName().toString()).isEqualTo("20261001F.cq4"));
    }

    @Test
    void shouldOpenAfterRetentionFailedPartWay() throws Exception {
        DenormQueue queue = open(queueBuilder().handler("h", new Recorder()));
        publishDaily(queue, 11);
        awaitProcessed(queue);
        // the manifest cannot be rewritten: as if the process died between updating it and deleting the file
        IoFaults.install(site -> site == IoFaults.Site.MANIFEST);
        boolean failed = false;
        try {
            long deadline = System.nanoTime() + AWAIT.toNanos();
            while (!failed && System.nanoTime() < deadline) {
                try {
                    if (!retain(queue).isEmpty()) {
                        break;
                    }
                    Thread.sleep(5);
                } catch (JournalException e) {
                    failed = true;
                }
            }
        } finally {
            IoFaults.install(null);
        }
        assertThat(failed).as("retention hit the injected failure").isTrue();
        queue.close();

        Recorder afterRestart = new Recorder();
        DenormQueue reopened = open(queueBuilder().handler("h", afterRestart));
        reopened.publish("t", "k", utf8("restarted"));
        awaitProcessed(reopened);
        assertThat(afterRestart.payloads()).containsExactly("restarted");
        assertThat(retainOnceTheReaderIsIdle(reopened)).as("retention goes on after the restart").hasSize(4);
    }
}
