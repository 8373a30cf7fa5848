package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What each flush policy forces to disk, and when. */
class FlushPolicyTest extends QueueTestSupport {

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldFlushBeforeEveryCommitReturns(Durability durability) throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().durability(durability).flush(FlushPolicy.everyCommit()).handler("h", recorder));
        io.denormq.internal.journal.Journal journal = ((DefaultDenormQueue) queue).journal();
        for (int i = 0; i < 20; i++) {
            long before = JournalRecords.flushCount(queue);
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("m" + i));
                long[] atDatabaseCommit = new long[3];
                tx.commit(() -> {
                    atDatabaseCommit[0] = JournalRecords.flushCount(queue);
                    atDatabaseCommit[1] = journal.durableIndex();
                    atDatabaseCommit[2] = journal.lastIndex(); // the batch: nothing else appends meanwhile
                });
                if (durability == Durability.WRITE_AHEAD) {
                    assertThat(atDatabaseCommit[0]).as("flushed before the database commits").isGreaterThan(before);
                    assertThat(atDatabaseCommit[1]).as("the batch is on disk before the database commits")
                            .isGreaterThanOrEqualTo(atDatabaseCommit[2]);
                }
            }
            assertThat(JournalRecords.flushCount(queue)).as("flushed before the commit returned").isGreaterThan(before);
            if (durability == Durability.AFTER_COMMIT) {
                assertThat(journal.durableIndex()).as("the released batch is on disk when the commit returns")
                        .isGreaterThanOrEqualTo(journal.lastIndex());
            }
        }
        long before = JournalRecords.flushCount(queue);
        queue.publish("t", "k", utf8("outside"));
        assertThat(JournalRecords.flushCount(queue)).isGreaterThan(before);
        assertThat(journal.durableIndex()).isGreaterThanOrEqualTo(journal.lastIndex());
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize(21);
    }

    /**
     * A reader flushes the journal itself only when nobody else has for a while (a quiet queue whose last
     * release record waits for a flush). Under a steady stream of commits each committer's flush covers
     * what the reader waits for; a reader that flushed too would double the flushes and hold the
     * committer up waiting for each other's flushes.
     */
    @Test
    void underSteadyCommitsOnlyTheCommittersFlush() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().durability(Durability.WRITE_AHEAD).flush(FlushPolicy.everyCommit())
                .handler("h", recorder));
        long before = JournalRecords.flushCount(queue);
        long commits = 0;
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // a thousand times the reader's wait
        while (System.nanoTime() < end) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("m"));
                tx.commit(() -> { });
            }
            commits++;
        }
        long flushes = JournalRecords.flushCount(queue) - before;
        // a lone committer flushes once per commit; the reader may flush after a stall of the committer
        // longer than its wait (a busy machine, a GC pause), not once per wake-up
        assertThat(flushes - commits).as("flushes beyond one per commit (%d commits)", commits)
                .isLessThanOrEqualTo(commits / 40);
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize((int) commits);
    }

    @Test
    void shouldNotFlushWithPolicyNone() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        for (int i = 0; i < 20; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("m" + i));
                tx.commit(() -> { });
            }
        }
        awaitProcessed(queue);
        assertThat(JournalRecords.flushCount(queue)).isZero();
        assertThat(recorder.payloads()).hasSize(20);
    }

    @Test
    void shouldFlushPeriodicallyInTheBackground() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().flush(FlushPolicy.periodic(Duration.ofMillis(10))).handler("h", recorder));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("m"));
            tx.commit(() -> { });
        }
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (JournalRecords.flushCount(queue) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(JournalRecords.flushCount(queue)).isGreaterThanOrEqualTo(3);
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("m");
    }
}
