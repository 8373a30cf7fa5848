package io.denormq.recovery.demo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo's database: an embedded H2 file database by default, or PostgreSQL when given a JDBC
 * URL. {@code orders} is the write model, {@code customer_totals} the read model that the denormq
 * handler keeps.
 */
public final class DemoDatabase {
    private final String url;
    private final String user;
    private final String password;

    /**
     * The embedded default. {@code WRITE_DELAY=0} makes H2 write each commit to its file before the
     * commit returns: with H2's default delay a {@code kill -9} loses the last second of commits.
     *
     * @param directory where the database files go
     */
    public DemoDatabase(Path directory) {
        this("jdbc:h2:file:" + directory.resolve("demo").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
                null, null);
    }

    /**
     * @param url      a JDBC URL (H2 or PostgreSQL; the database's tables are created if missing)
     * @param user     the user, or null
     * @param password the password, or null
     */
    public DemoDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** @return the database as a data source, for the transactional handler adapter */
    public javax.sql.DataSource dataSource() {
        if (url.startsWith("jdbc:postgresql:")) {
            org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
            dataSource.setURL(url);
            dataSource.setUser(user);
            dataSource.setPassword(password);
            return dataSource;
        }
        org.h2.jdbcx.JdbcDataSource dataSource = new org.h2.jdbcx.JdbcDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user == null ? "" : user);
        dataSource.setPassword(password == null ? "" : password);
        return dataSource;
    }

    /**
     * @return a new connection, in auto-commit mode
     * @throws SQLException if the database cannot be opened
     */
    public Connection connect() throws SQLException {
        return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    }

    /** @return the JDBC URL, for the report */
    public String url() {
        return url;
    }

    /**
     * Creates the tables if they are missing.
     *
     * @throws SQLException if the database refuses
     */
    public void createSchema() throws SQLException {
        try (Connection connection = connect(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table if not exists orders("
                    + "id bigint primary key, customer varchar(40) not null, amount int not null)");
            ddl.execute("create table if not exists demo_runs(first_order_id bigint primary key)");
            ddl.execute("create table if not exists customer_totals("
                    + "customer varchar(40) primary key, total bigint not null, order_count int not null)");
            ddl.execute(new io.denormq.tx.applied.AppliedPositionTable(
                    io.denormq.tx.applied.AppliedPositionTable.DEFAULT_NAME).ddl());
        }
    }

    /**
     * Reserves a block of a billion order ids for one run. A run killed mid-transaction leaves ids
     * that its rolled-back transactions used and that no row keeps: taking the next ids from the
     * largest order id would give them to new orders, and a released message of a rolled-back
     * transaction would then find "its" order.
     *
     * @return the first id of this run's block
     * @throws SQLException if the database refuses
     */
    public long nextOrderId() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("insert into demo_runs(first_order_id) "
                    + "select coalesce(max(first_order_id), 0) + 1000000000 from demo_runs");
            try (java.sql.ResultSet rows = statement.executeQuery("select max(first_order_id) from demo_runs")) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
