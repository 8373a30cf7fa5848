package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;
import org.junit.jupiter.api.Test;

/** The durability modes: what is journaled when, and what is released. */
class TransactionSemanticsTest extends QueueTestSupport {

    @Test
    void shouldJournalBatchBeforeCommitInWriteAhead() throws Exception {
        DenormQueue queue = open(builder().durability(Durability.WRITE_AHEAD).handler("h", new Recorder()));
        List<String> seenAtDatabaseCommit = new ArrayList<>();
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("a"));
            assertThat(JournalRecords.kinds(queue)).as("publish performs no I/O").isEmpty();
            tx.commit(() -> seenAtDatabaseCommit.addAll(JournalRecords.kinds(queue)));
        }
        assertThat(seenAtDatabaseCommit).containsExactly("BATCH");
        assertThat(JournalRecords.kinds(queue)).containsExactly("BATCH", "RELEASE");
    }

    @Test
    void shouldTouchNothingBeforeCommitInAfterCommit() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().durability(Durability.AFTER_COMMIT).handler("h", recorder));
        List<String> seenAtDatabaseCommit = new ArrayList<>();
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("a"));
            queue.publish("t", "k", utf8("b"));
            tx.commit(() -> seenAtDatabaseCommit.addAll(JournalRecords.kinds(queue)));
        }
        assertThat(seenAtDatabaseCommit).isEmpty();
        assertThat(JournalRecords.kinds(queue)).containsExactly("RELEASED_BATCH");
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("a", "b");
    }

    @Test
    void shouldWriteRollbackRecordAndNotDeliverRolledBackMessages() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:rollback")) {
            ProgrammaticTransaction tx = ProgrammaticTransactions.begin();
            queue.publish("t", "k", utf8("rolled-back-before-commit"));
            tx.rollback(connection);
        }
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("commit-failed"));
            assertThatThrownBy(() -> tx.commit(() -> {
                throw new java.sql.SQLException("simulated commit failure");
            })).hasMessageContaining("simulated");
        }
        queue.publish("t", "k", utf8("marker"));
        awaitProcessed(queue);
        // A failed commit has an unknown outcome: released, because it may have committed.
        assertThat(recorder.payloads()).containsExactly("commit-failed", "marker");
        assertThat(JournalRecords.kinds(queue)).containsExactly("BATCH", "RELEASE", "RELEASED_BATCH");
    }

    @Test
    void shouldDiscardBatchWhoseTransactionRolledBackAfterItWasJournaled() throws Exception {
        Recorder recorder = new Recorder();
        ManualBinding binding = new ManualBinding();
        DenormQueue queue = open(builder().transactions(binding).handler("h", recorder));
        binding.begin();
        queue.publish("t", "k", utf8("journaled-then-rolled-back"));
        binding.participant.beforeCommit();             // e.g. a 2PC prepare that fails afterwards
        binding.participant.afterCompletion(TransactionOutcome.ROLLED_BACK);
        binding.end();
        queue.publish("t", "k", utf8("marker"));
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("marker");
        assertThat(JournalRecords.kinds(queue)).containsExactly("BATCH", "ROLLBACK", "RELEASED_BATCH");
    }

    /** A binding driven step by step by the test, as a transaction manager would. */
    static final class ManualBinding implements TransactionBinding {
        private boolean active;
        TransactionParticipant participant;

        void begin() {
            active = true;
            participant = null;
        }

        void end() {
            active = false;
        }

        @Override
        public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
            if (!active) {
                return null;
            }
            if (participant == null) {
                participant = factory.get();
            }
            return participant;
        }
    }

    @Test
    void shouldRollBackTheDatabaseWhenTheJournalAppendFails() throws Exception {
        DenormQueue queue = open(builder().handler("h", new Recorder()));
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:appendfails;DB_CLOSE_DELAY=-1");
             Statement statement = connection.createStatement()) {
            statement.execute("create table orders(id int primary key)");
            assertThatThrownBy(() -> ProgrammaticTransactions.run(connection, c -> {
                try (Statement insert = c.createStatement()) {
                    insert.execute("insert into orders values (1)");
                }
                queue.publish("t", "k", utf8("x"));
                queue.close(); // the journal is gone before the commit: the append in before-commit fails
                return null;
            })).isInstanceOf(QueueClosedException.class);
            try (ResultSet rows = statement.executeQuery("select count(*) from orders")) {
                rows.next();
                assertThat(rows.getInt(1)).as("the transaction was rolled back").isZero();
            }
        }
    }

    @Test
    void shouldReleaseBatchWithoutOutcomeOnNextStart() throws Exception {
        DenormQueue first = open(builder().handler("h", new Recorder()));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            first.publish("t", "k", utf8("orphan"));
            // The process "stops" between before-commit and after-completion: the release cannot be written.
            tx.commit(first::close);
        }
        Recorder recorder = new Recorder();
        DenormQueue second = open(builder().handler("h", recorder));
        awaitProcessed(second);
        assertThat(recorder.payloads()).containsExactly("orphan");
        assertThat(JournalRecords.kinds(second)).containsExactly("BATCH", "RELEASE");
    }

    @Test
    void shouldReleaseEachTransactionsMessagesTogetherInPublicationOrder() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            for (int i = 0; i < 100; i++) {
                queue.publish("t", "k" + (i % 7), utf8("m" + i));
            }
            tx.commit(() -> { });
        }
        awaitProcessed(queue);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("m" + i);
        }
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(recorder.sequences).isSorted().doesNotHaveDuplicates();
        assertThat(recorder.ids).doesNotHaveDuplicates();
    }

    @Test
    void shouldKeepTwoQueuesInOneTransactionApart() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        DenormQueue a = open(builder().handler("h", first));
        DenormQueue b = open(DenormQueue.builder(journalDir.resolveSibling("other")).handler("h", second));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            a.publish("t", "k", utf8("to-a"));
            b.publish("t", "k", utf8("to-b"));
            tx.commit(() -> { });
        }
        awaitProcessed(a);
        awaitProcessed(b);
        assertThat(first.payloads()).containsExactly("to-a");
        assertThat(second.payloads()).containsExactly("to-b");
    }

    @Test
    void shouldRefusePublishingIntoACommittingTransaction() throws Exception {
        DenormQueue queue = open(builder().handler("h", new Recorder()));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("a"));
            assertThatThrownBy(() -> tx.commit(() -> queue.publish("t", "k", utf8("too late"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before-commit");
        }
    }
}
