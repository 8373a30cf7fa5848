package io.denormq.tx.applied;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.RetryPolicy;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.tx.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transactional handler adapter against a real database: a running total per key, whose
 * effects must be exactly once through re-deliveries, failures, batching and rebuilds. Subclasses
 * pick the database and the flavour (plain JDBC or Spring).
 */
abstract class TransactionalHandlerContract {
    protected static final String NAME = "totals";
    private static final Duration AWAIT = Duration.ofSeconds(60);

    private Path journalDir;
    protected TestDatabase.Namespace database;
    private DenormQueue queue;
    private TransactionalHandler adapter;

    protected volatile String poison;

    /** @return the database under test */
    protected abstract TestDatabase database();

    /**
     * @param batchSize      messages per transaction
     * @param partition      the partition it serves
     * @param partitionCount the handler's partition count
     * @return the adapter under test, applying {@link #applyTotal} to {@link #database}
     */
    protected abstract TransactionalHandler adapter(int batchSize, int partition, int partitionCount);

    private final List<TransactionalHandler> adapters = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        journalDir = Files.createTempDirectory("denormq-applied").resolve("journal");
        database = database().fresh("denormq_applied_test");
        try (Connection connection = database.dataSource().getConnection();
             Statement ddl = connection.createStatement()) {
            ddl.execute("create table totals(k varchar(20) primary key, total bigint not null)");
        }
        new AppliedPositionTable(AppliedPositionTable.DEFAULT_NAME).createIfMissing(database.dataSource());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (queue != null) {
            queue.close();
        }
        closeAdapters();
        if (database != null) {
            database.close();
        }
    }

    /** The user's code: adds the message's amount to its key's total, on the transaction's connection. */
    protected void applyTotal(Message message, Connection connection) throws Exception {
        String amount = message.payload(io.denormq.Codecs.utf8());
        if (amount.equals(poison)) {
            throw new IllegalArgumentException("poison amount " + amount);
        }
        try (PreparedStatement update = connection.prepareStatement("update totals set total = total + ? where k = ?")) {
            update.setLong(1, Long.parseLong(amount));
            update.setString(2, message.key());
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = connection.prepareStatement("insert into totals values (?, ?)")) {
                    insert.setString(1, message.key());
                    insert.setLong(2, Long.parseLong(amount));
                    insert.executeUpdate();
                }
            }
        }
    }

    /** Empties the read model before a rebuild. */
    protected void emptyTotals(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.execute("delete from totals");
        }
    }

    private void start(int batchSize, boolean rebuild) {
        start(batchSize, 1, rebuild);
    }

    private void start(int batchSize, int partitions, boolean rebuild) {
        var builder = DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(3, Duration.ofMillis(1), Duration.ofMillis(2)))
                .handler(NAME, partitions, partition -> {
                    TransactionalHandler made = adapter(batchSize, partition, partitions);
                    adapters.add(made);
                    return made;
                });
        queue = (rebuild ? builder.rebuild(NAME) : builder).build();
        adapter = adapters.get(adapters.size() - 1);
    }

    private void stop() throws Exception {
        queue.close();
        queue = null;
        closeAdapters();
    }

    private void closeAdapters() throws Exception {
        for (TransactionalHandler made : adapters) {
            if (made instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        adapters.clear();
    }

    private long sum(java.util.function.ToLongFunction<TransactionalHandler> counter) {
        return adapters.stream().mapToLong(counter).sum();
    }

    /** Publishes amounts 1..count over 10 keys; returns the expected totals. */
    private Map<String, Long> publish(int count) {
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 1; i <= count; i++) {
            String key = "k" + (i % 10);
            queue.publish("amount", key, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            if (!Integer.toString(i).equals(poison)) {
                expected.merge(key, (long) i, Long::sum);
            }
        }
        return expected;
    }

    private Map<String, Long> totals() throws Exception {
        Map<String, Long> totals = new TreeMap<>();
        try (Connection connection = database.dataSource().getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("select k, total from totals")) {
            while (rows.next()) {
                totals.put(rows.getString(1), rows.getLong(2));
            }
        }
        return totals;
    }

    private long appliedPosition() throws Exception {
        try (Connection connection = database.dataSource().getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("select last_sequence from denormq_applied where handler = '" + NAME + "'")) {
            return rows.next() ? rows.getLong(1) : Long.MIN_VALUE;
        }
    }

    @Test
    void shouldSkipEveryReDeliveryAfterTheCursorsWereLost() throws Exception {
        start(1, false);
        Map<String, Long> expected = publish(200);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        long position = appliedPosition();
        assertThat(position).isEqualTo(queue.cursors().get(NAME));
        stop();
        // the handler's commits are durable but its cursor is gone: everything is delivered again
        Files.delete(journalDir.resolve(CheckpointDescriptor.FILE_NAME));

        start(1, false);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(adapter.deduplicated()).isEqualTo(200);
        assertThat(adapter.applied()).isZero();
        assertThat(totals()).isEqualTo(expected);
        assertThat(appliedPosition()).isEqualTo(position);
    }

    @Test
    void shouldLeaveNoTraceOfAFailedMessageAndApplyTheRest() throws Exception {
        poison = "37";
        start(1, false);
        Map<String, Long> expected = publish(100);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(totals()).isEqualTo(expected);
        assertThat(queue.deadLetters()).hasSize(1);
        assertThat(adapter.applied()).isEqualTo(99);
    }

    @Test
    void shouldBatchAndIsolateAPoisonMessageInABatch() throws Exception {
        poison = "523";
        start(50, false);
        Map<String, Long> expected = publish(2_000);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(totals()).isEqualTo(expected);
        assertThat(queue.deadLetters()).hasSize(1);
        assertThat(adapter.applied()).isEqualTo(1_999);
        assertThat(adapter.transactions()).as("batched: far fewer transactions than messages").isLessThan(1_000);
        assertThat(appliedPosition()).isEqualTo(queue.cursors().get(NAME));
    }

    @Test
    void shouldStayExactWhenThePartitionCountChangesAfterTheCursorsWereLost() throws Exception {
        start(20, 4, false);
        Map<String, Long> expected = publish(2_000);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(sum(TransactionalHandler::applied)).isEqualTo(2_000);
        stop();
        Files.delete(journalDir.resolve(CheckpointDescriptor.FILE_NAME)); // everything is delivered again

        start(20, 3, false);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(sum(TransactionalHandler::deduplicated)).as("all skipped by the 4-partition positions")
                .isEqualTo(2_000);
        assertThat(sum(TransactionalHandler::applied)).isZero();
        assertThat(totals()).isEqualTo(expected);
        stop();

        start(20, 3, true); // a rebuild forgets the old partition count's positions and replays everything
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(sum(TransactionalHandler::applied)).isEqualTo(2_000);
        assertThat(totals()).isEqualTo(expected);
    }

    @Test
    void shouldResetThePositionWhenTheHandlerIsRebuilt() throws Exception {
        start(10, false);
        Map<String, Long> expected = publish(300);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        stop();

        start(10, true);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(adapter.applied()).as("replayed from the earliest, none skipped").isEqualTo(300);
        assertThat(adapter.deduplicated()).isZero();
        assertThat(totals()).isEqualTo(expected);
    }

    @Test
    void shouldApplyARedrivenDeadLetterOnceInARebuild() throws Exception {
        poison = "37";
        start(5, false);
        Map<String, Long> expected = publish(100);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        poison = null; // the handler is fixed, the dead letter redriven
        queue.redrive(queue.deadLetters().get(0));
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        expected.merge("k7", 37L, Long::sum);
        assertThat(totals()).isEqualTo(expected);
        stop();

        start(5, true);
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(totals()).as("37 counted once: at its place, not again at its redrive").isEqualTo(expected);
        assertThat(adapter.applied()).isEqualTo(100);
        assertThat(queue.deadLetters()).isEmpty();
    }
}
