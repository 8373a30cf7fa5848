package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the read model ({@code customer_totals}) with the totals recomputed from the write model
 * ({@code orders}): they must be equal, customer by customer.
 */
final class ReadModelCheck {
    /**
     * What the check found.
     *
     * @param customers  customers that have orders
     * @param mismatches one line per customer whose totals differ, in customer order; empty if all match
     */
    record Result(int customers, List<String> mismatches) {
        boolean ok() {
            return mismatches.isEmpty();
        }
    }

    private record Totals(long total, long count) {
    }

    private final DemoDatabase database;

    ReadModelCheck(DemoDatabase database) {
        this.database = database;
    }

    Result run() throws SQLException {
        Map<String, Totals> expected;
        Map<String, Totals> actual;
        try (Connection connection = database.connect()) {
            expected = totals(connection, "select customer, sum(amount), count(*) from orders group by customer");
            actual = totals(connection, "select customer, total, order_count from customer_totals");
        }
        List<String> mismatches = new ArrayList<>();
        expected.forEach((customer, want) -> {
            Totals found = actual.get(customer);
            if (!want.equals(found)) {
                mismatches.add(customer + ": orders say total=" + want.total() + " count=" + want.count()
                        + ", read model says " + (found == null ? "nothing"
                        : "total=" + found.total() + " count=" + found.count()));
            }
        });
        actual.forEach((customer, found) -> {
            if (!expected.containsKey(customer)) {
                mismatches.add(customer + ": no orders, read model says total=" + found.total() + " count="
                        + found.count());
            }
        });
        return new Result(expected.size(), mismatches);
    }

    private static Map<String, Totals> totals(Connection connection, String sql) throws SQLException {
        Map<String, Totals> rows = new TreeMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.put(result.getString(1), new Totals(result.getLong(2), result.getLong(3)));
            }
        }
        return rows;
    }
}
