package io.denormq.tx.applied;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.denormq.ConfigurationException;

/**
 * The table that holds each handler's applied positions: {@code (handler, partition_count,
 * partition_no) -> last_sequence}, the sequence of the last message whose effects committed in that
 * partition. It lives in the read model's database, so that a message's effects and the position
 * move in one transaction. Rows of an earlier partition count are kept: they still tell which
 * messages were applied before the count changed.
 *
 * <p>The DDL, for H2 and PostgreSQL alike (also shipped as {@code applied-position-h2.sql} and
 * {@code applied-position-postgresql.sql} next to this class):
 * <pre>
 * create table if not exists denormq_applied (
 *     handler         varchar(200) not null,
 *     partition_count int          not null,
 *     partition_no    int          not null,
 *     last_sequence   bigint       not null,
 *     primary key (handler, partition_count, partition_no))
 * </pre>
 */
public final class AppliedPositionTable {
    /** The default table name. */
    public static final String DEFAULT_NAME = "denormq_applied";
    private static final Pattern NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final String name;
    private final String select;
    private final String insert;
    private final String update;
    private final String older;
    private final String deleteOlder;

    /**
     * @param name the table's name, optionally schema-qualified; letters, digits and underscores
     * @throws ConfigurationException if the name is not a plain SQL identifier
     */
    public AppliedPositionTable(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigurationException("applied-position table: '" + name + "' is not a plain SQL identifier "
                    + "(letters, digits, underscores, optionally schema.table)");
        }
        this.name = name;
        this.select = "select last_sequence from " + name
                + " where handler = ? and partition_count = ? and partition_no = ? for update";
        this.insert = "insert into " + name + "(handler, partition_count, partition_no, last_sequence) values (?, ?, ?, ?)";
        this.update = "update " + name + " set last_sequence = ? "
                + "where handler = ? and partition_count = ? and partition_no = ?";
        this.older = "select partition_count, partition_no, last_sequence from " + name
                + " where handler = ? and partition_count <> ?";
        this.deleteOlder = "delete from " + name + " where handler = ? and partition_count <> ?";
    }

    /** @return the table's name */
    public String name() {
        return name;
    }

    /** @return the DDL that creates the table if it is missing */
    public String ddl() {
        return "create table if not exists " + name + " (handler varchar(200) not null, partition_count int not null, "
                + "partition_no int not null, last_sequence bigint not null, "
                + "primary key (handler, partition_count, partition_no))";
    }

    /**
     * The opt-in schema initialiser: creates the table if it is missing.
     *
     * @param dataSource the read model's database
     * @throws SQLException if the database refuses
     */
    public void createIfMissing(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(ddl());
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
    }

    /**
     * @param database "h2" or "postgresql"
     * @return the shipped DDL script for the default table name
     * @throws IOException if the script cannot be read
     */
    public static String shippedDdl(String database) throws IOException {
        try (InputStream in = AppliedPositionTable.class.getResourceAsStream("applied-position-" + database + ".sql")) {
            if (in == null) {
                throw new IOException("No applied-position DDL for '" + database + "': h2 and postgresql are shipped");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Where one partition of one partition count stands. */
    record Key(String handler, int partitionCount, int partition) {
    }

    /**
     * Reads a position and locks its row for the transaction, creating it at -1 if missing.
     *
     * @param connection the transaction's connection
     * @param key        whose position
     * @return the last applied sequence, -1 if none
     * @throws SQLException if the database refuses
     */
    long read(Connection connection, Key key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(select)) {
            bind(statement, 1, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return rows.getLong(1);
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            bind(statement, 1, key);
            statement.setLong(4, -1);
            statement.executeUpdate();
        }
        return -1;
    }

    /**
     * @param connection the transaction's connection, after {@link #read}
     * @param key        whose position
     * @param sequence   the new last applied sequence
     * @throws SQLException if the database refuses
     */
    void write(Connection connection, Key key, long sequence) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(update)) {
            statement.setLong(1, sequence);
            bind(statement, 2, key);
            if (statement.executeUpdate() != 1) {
                throw new SQLException("Applied position " + key + " vanished from " + name + " during its transaction");
            }
        }
    }

    /**
     * @param connection a connection
     * @param key        the handler and its current partition count
     * @return the positions of the handler's earlier partition counts: count -> position per partition
     * @throws SQLException if the database refuses
     */
    Map<Integer, long[]> olderGenerations(Connection connection, Key key) throws SQLException {
        Map<Integer, long[]> generations = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(older)) {
            statement.setString(1, key.handler());
            statement.setInt(2, key.partitionCount());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    int count = rows.getInt(1);
                    long[] positions = generations.computeIfAbsent(count, c -> {
                        long[] none = new long[c];
                        java.util.Arrays.fill(none, -1);
                        return none;
                    });
                    int partition = rows.getInt(2);
                    if (partition >= 0 && partition < count) {
                        positions[partition] = rows.getLong(3);
                    }
                }
            }
        }
        return generations;
    }

    /**
     * Forgets the positions of earlier partition counts: after a rebuild they no longer describe
     * the read model.
     *
     * @param connection the transaction's connection
     * @param key        the handler and its current partition count
     * @throws SQLException if the database refuses
     */
    void deleteOlderGenerations(Connection connection, Key key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(deleteOlder)) {
            statement.setString(1, key.handler());
            statement.setInt(2, key.partitionCount());
            statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, int first, Key key) throws SQLException {
        statement.setString(first, key.handler());
        statement.setInt(first + 1, key.partitionCount());
        statement.setInt(first + 2, key.partition());
    }
}
