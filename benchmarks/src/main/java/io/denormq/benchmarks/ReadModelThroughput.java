package io.denormq.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.applied.AppliedPositionTable;
import io.denormq.tx.applied.JdbcTransactionalHandler;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Messages/s into a database read model (a running total per key, 1 000 keys): a plain handler
 * committing each update on its own (at least once: the baseline), and the transactional handler
 * adapter with one message per transaction and with batches (exactly once). Each variant replays
 * the same journal from its start ({@code rebuild}), so they see the same messages; the time is from
 * the queue's start to the handler having committed the last one.
 *
 * <p>Arguments: messages (default 20000); databases, comma-separated, of {@code h2} (a file database
 * with WRITE_DELAY=0, so that commits reach the file) and {@code postgresql} (the server of
 * {@code .ci/postgres}, or {@code DENORMQ_POSTGRES_URL}; skipped with a note when unreachable).
 */
public final class ReadModelThroughput {
    private static final int KEYS = 1_000;

    private ReadModelThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<String> databases = List.of((args.length > 1 ? args[1] : "h2,postgresql").split(","));
        System.out.printf("read-model throughput: %d messages over %d keys, replayed from the journal to each "
                + "variant; %s%n", messages, KEYS, Machine.describe());
        try (TempJournal temp = new TempJournal("read-model")) {
            try (DenormQueue queue = DenormQueue.builder(temp.dir()).build()) {
                for (int i = 0; i < messages; i++) {
                    queue.publish("amount", "k" + (i % KEYS), Integer.toString(i % 97).getBytes(StandardCharsets.UTF_8));
                }
            }
            System.out.printf("%-11s %-34s %12s %10s %14s%n", "database", "handler", "messages/s", "vs plain",
                    "transactions");
            for (String database : databases) {
                DataSource dataSource = dataSource(database.trim(), temp.dir().getParent());
                if (dataSource == null) {
                    continue;
                }
                run(database, "warm-up", temp.dir(), dataSource, 1, messages, -1); // JIT and database caches, not reported
                double plain = run(database, "plain (own commit per message)", temp.dir(), dataSource, null, messages, 0);
                for (int batch : new int[] {1, 100}) {
                    run(database, "adapter, batch " + batch + " (exactly once)", temp.dir(), dataSource,
                            batch, messages, plain);
                }
            }
        }
    }

    private static DataSource dataSource(String database, Path dir) throws SQLException {
        if (database.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("readmodel").toAbsolutePath() + ";WRITE_DELAY=0");
            return h2;
        }
        String url = env("DENORMQ_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:55432/denormq");
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(url);
        postgres.setUser(env("DENORMQ_POSTGRES_USER", "denormq"));
        postgres.setPassword(env("DENORMQ_POSTGRES_PASSWORD", "denormq"));
        try (Connection ignored = postgres.getConnection()) {
            return postgres;
        } catch (SQLException e) {
            System.out.printf("%-11s skipped: %s is not reachable (start one with `bash .ci/postgres`)%n", database, url);
            return null;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Recreates the read model, replays the journal to one variant, prints and returns its rate. */
    private static double run(String database, String label, Path journal, DataSource dataSource, Integer batchSize,
                              int messages, double plainRate) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("drop table if exists bench_totals");
            ddl.execute("drop table if exists bench_applied");
            ddl.execute("create table bench_totals(k varchar(20) primary key, total bigint not null)");
            try (PreparedStatement insert = connection.prepareStatement("insert into bench_totals values (?, 0)")) {
                for (int key = 0; key < KEYS; key++) {
                    insert.setString(1, "k" + key);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        String name = "bench-" + (batchSize == null ? "plain" : "batch" + batchSize);
        MessageHandler handler;
        AutoCloseable resource;
        JdbcTransactionalHandler adapter = null;
        if (batchSize == null) {
            PlainHandler plain = new PlainHandler(dataSource.getConnection());
            handler = plain;
            resource = plain.connection;
        } else {
            AppliedPositionTable table = new AppliedPositionTable("bench_applied");
            table.createIfMissing(dataSource);
            adapter = JdbcTransactionalHandler.builder(name, dataSource).table("bench_applied").batchSize(batchSize)
                    .handler((message, connection) -> PlainHandler.add(connection, message))
                    .build();
            handler = adapter;
            resource = adapter;
        }
        long start = System.nanoTime();
        double seconds;
        try (DenormQueue queue = DenormQueue.builder(journal).handler(name, handler).rebuild(name).build()) {
            if (!queue.awaitProcessed(Duration.ofMinutes(10))) {
                throw new IllegalStateException(label + " did not finish within 10 minutes");
            }
            seconds = (System.nanoTime() - start) / 1e9;
        } finally {
            resource.close();
        }
        double rate = messages / seconds;
        if (plainRate < 0) {
            return rate;
        }
        System.out.printf(Locale.ROOT, "%-11s %-34s %12.0f %10s %14s%n", database, label, rate,
                plainRate == 0 ? "1.00" : String.format(Locale.ROOT, "%.2f", rate / plainRate),
                adapter == null ? messages : Long.toString(adapter.transactions()));
        return rate;
    }

    /** The baseline: each update committed on its own (auto-commit); a re-delivery would apply twice. */
    private static final class PlainHandler implements MessageHandler {
        private final Connection connection;

        PlainHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onMessage(Message message) throws SQLException {
            add(connection, message);
        }

        static void add(Connection connection, Message message) throws SQLException {
            try (PreparedStatement update = connection.prepareStatement(
                    "update bench_totals set total = total + ? where k = ?")) {
                update.setLong(1, Long.parseLong(message.payload(io.denormq.Codecs.utf8())));
                update.setString(2, message.key());
                update.executeUpdate();
            }
        }
    }
}
