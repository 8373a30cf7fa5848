package io.denormq.recovery.demo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's embedded H2 file database: {@code orders} is the write model, {@code customer_totals}
 * the read model kept by the denormq handler.
 */
public final class DemoDatabase {
    private final String url;

    /**
     * @param directory where the database files go
     */
    public DemoDatabase(Path directory) {
        this.url = "jdbc:h2:file:" + directory.resolve("demo").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** @return a new connection */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Creates the tables if missing. */
    public void createSchema() throws SQLException {
        try (Connection connection = connect(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table if not exists orders(id bigint primary key, customer varchar(40) not null, "
                    + "amount int not null)");
            ddl.execute("create table if not exists customer_totals(customer varchar(40) primary key, "
                    + "total bigint not null, order_count int not null, last_sequence bigint not null)");
        }
    }

    /**
     * Compares the read model with the totals recomputed from the write model.
     *
     * @return one line per customer whose totals differ; empty if they all match
     */
    public List<String> mismatches() throws SQLException {
        Map<String, long[]> expected = query("select customer, sum(amount), count(*) from orders group by customer");
        Map<String, long[]> actual = query("select customer, total, order_count from customer_totals");
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            long[] found = actual.get(entry.getKey());
            long[] want = entry.getValue();
            if (found == null || found[0] != want[0] || found[1] != want[1]) {
                mismatches.add(entry.getKey() + ": orders say total=" + want[0] + " count=" + want[1] + ", read model says "
                        + (found == null ? "nothing" : "total=" + found[0] + " count=" + found[1]));
            }
        }
        for (String customer : actual.keySet()) {
            if (!expected.containsKey(customer)) {
                mismatches.add(customer + ": in the read model but has no orders");
            }
        }
        return mismatches;
    }

    /** @return customers in the write model */
    public int customerCount() throws SQLException {
        return query("select customer, 0, count(*) from orders group by customer").size();
    }

    private Map<String, long[]> query(String sql) throws SQLException {
        Map<String, long[]> rows = new TreeMap<>();
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.put(result.getString(1), new long[] {result.getLong(2), result.getLong(3)});
            }
        }
        return rows;
    }
}
