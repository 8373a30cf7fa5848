package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import io.denormq.internal.journal.IoFaults;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch journaled before its commit whose flush then fails: the transaction rolls back, and its
 * rollback must be journaled too, or the batch would stay unresolved (holding retention) and be
 * released, a rolled-back transaction delivered, at the next start.
 */
class FailedFlushTest extends QueueTestSupport {
    @AfterEach
    void removeInjector() {
        IoFaults.install(null);
    }

    @Test
    void shouldJournalTheRollbackOfABatchWhoseFlushFailed() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().durability(Durability.WRITE_AHEAD).flush(FlushPolicy.everyCommit())
                .handler("h", recorder));
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:failed-flush;DB_CLOSE_DELAY=-1")) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("create table t(id int)");
                connection.commit();
            }
            // the committer's flush: a failure of the background force of zero-filled blocks would fail the next
            // flush too (ZeroFillAheadTest), and this test's next transaction must commit
            IoFaults.install(site -> site == IoFaults.Site.FLUSH && !"denormq-space".equals(Thread.currentThread().getName()));
            assertThatThrownBy(() -> ProgrammaticTransactions.run(connection, c -> {
                queue.publish("t", "k", utf8("flush failed"));
                return null;
            })).isInstanceOf(JournalException.class).hasMessageContaining("flush");
            IoFaults.install(null);
            ProgrammaticTransactions.run(connection, c -> {
                queue.publish("t", "k", utf8("committed"));
                return null;
            });
        }
        awaitProcessed(queue);
        assertThat(queue.stats().unresolvedBatches()).as("batches without an outcome").isZero();
        queue.close();

        Recorder afterRestart = new Recorder();
        DenormQueue restarted = open(builder().handler("h", afterRestart).rebuild("h"));
        awaitProcessed(restarted);
        assertThat(recorder.payloads()).containsExactly("committed");
        assertThat(afterRestart.payloads()).as("the whole journal replayed after the restart").containsExactly("committed");
    }
}
