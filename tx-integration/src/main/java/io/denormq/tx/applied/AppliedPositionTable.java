package io.denormq.tx.applied;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.denormq.ConfigurationException;

/**
 * The table that holds each handler's applied position: {@code (handler, partition_no) ->
 * last_sequence}, the sequence of the last message whose effects committed. It lives in the read
 * model's database, so that a message's effects and the position move in one transaction.
 *
 * <p>The DDL, for H2 and PostgreSQL alike (also shipped as {@code applied-position-h2.sql} and
 * {@code applied-position-postgresql.sql} next to this class):
 * <pre>
 * create table if not exists denormq_applied (
 *     handler       varchar(200) not null,
 *     partition_no  int          not null,
 *     last_sequence bigint       not null,
 *     primary key (handler, partition_no))
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
        this.select = "select last_sequence from " + name + " where handler = ? and partition_no = ? for update";
        this.insert = "insert into " + name + "(handler, partition_no, last_sequence) values (?, ?, ?)";
        this.update = "update " + name + " set last_sequence = ? where handler = ? and partition_no = ?";
    }

    /** @return the table's name */
    public String name() {
        return name;
    }

    /** @return the DDL that creates the table if it is missing */
    public String ddl() {
        return "create table if not exists " + name + " (handler varchar(200) not null, partition_no int not null, "
                + "last_sequence bigint not null, primary key (handler, partition_no))";
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

    /**
     * Reads a position and locks its row for the transaction, creating it at -1 if missing.
     *
     * @param connection the transaction's connection
     * @param handler    the handler's position key
     * @param partition  the partition
     * @return the last applied sequence, -1 if none
     * @throws SQLException if the database refuses
     */
    long read(Connection connection, String handler, int partition) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(select)) {
            statement.setString(1, handler);
            statement.setInt(2, partition);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return rows.getLong(1);
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            statement.setString(1, handler);
            statement.setInt(2, partition);
            statement.setLong(3, -1);
            statement.executeUpdate();
        }
        return -1;
    }

    /**
     * @param connection the transaction's connection, after {@link #read}
     * @param handler    the handler's position key
     * @param partition  the partition
     * @param sequence   the new last applied sequence
     * @throws SQLException if the database refuses
     */
    void write(Connection connection, String handler, int partition, long sequence) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(update)) {
            statement.setLong(1, sequence);
            statement.setString(2, handler);
            statement.setInt(3, partition);
            if (statement.executeUpdate() != 1) {
                throw new SQLException("Applied position of '" + handler + "' partition " + partition + " vanished from "
                        + name + " during its transaction");
            }
        }
    }
}
