package io.denormq.recovery.crash;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The harness's embedded H2 file database, shared by the child JVMs (one at a time) and the test
 * that checks what they left. {@code tx} is the write model: one row per committed transaction.
 * {@code processed} is what the handler writes: one row per delivery, so repeats can be counted.
 */
final class HarnessDatabase {
    private final String url;

    /**
     * @param directory where the database files go
     */
    HarnessDatabase(Path directory) {
        // WRITE_DELAY=0 makes H2 write its store to the file in every commit. With the default
        // (500 ms) H2 keeps committed changes in memory until a background write: a kill -9 then
        // loses transactions whose commit returned (tried here: thousands lost over five kills), and
        // the harness could no longer tell a lost message from a lost row. The file write is not an
        // fsync, but the operating system keeps it when only the process dies, which is the crash
        // this harness makes.
        this.url = "jdbc:h2:file:" + directory.resolve("harness").toAbsolutePath() + ";WRITE_DELAY=0";
    }

    /**
     * @return a new connection, in auto-commit mode
     * @throws SQLException if the database cannot be opened
     */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /**
     * Creates the tables if they are missing.
     *
     * @throws SQLException if the database refuses
     */
    void createSchema() throws SQLException {
        try (Connection connection = connect(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table if not exists tx("
                    + "tx_id bigint primary key, run int not null, messages int not null)");
            ddl.execute("create table if not exists processed("
                    + "delivery bigint generated always as identity primary key, "
                    + "tx_id bigint not null, ordinal int not null, message_id bigint not null, "
                    + "sequence bigint not null, run int not null, redelivered boolean not null, "
                    + "tx_visible boolean not null, processed_at timestamp not null)");
        }
    }
}
