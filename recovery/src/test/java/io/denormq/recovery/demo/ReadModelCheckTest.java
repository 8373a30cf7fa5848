package io.denormq.recovery.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadModelCheckTest {
    @TempDir
    Path dir;

    @Test
    void shouldListEveryCustomerWhoseTotalsDiffer() throws Exception {
        DemoDatabase database = database(
                "insert into orders values (1, 'alice', 100), (2, 'alice', 50), (3, 'bob', 7), (4, 'dave', 1)",
                "insert into customer_totals values ('alice', 150, 2), ('bob', 14, 2), ('carol', 1, 1)");

        ReadModelCheck.Result check = new ReadModelCheck(database).run();

        assertThat(check.ok()).isFalse();
        assertThat(check.customers()).isEqualTo(3);
        assertThat(check.mismatches()).containsExactly(
                "bob: orders say total=7 count=1, read model says total=14 count=2",
                "dave: orders say total=1 count=1, read model says nothing",
                "carol: no orders, read model says total=1 count=1");
    }

    @Test
    void shouldPassWhenTheReadModelEqualsTheOrders() throws Exception {
        DemoDatabase database = database(
                "insert into orders values (1, 'alice', 100), (2, 'alice', 50), (3, 'bob', 7)",
                "insert into customer_totals values ('alice', 150, 2), ('bob', 7, 1)");

        ReadModelCheck.Result check = new ReadModelCheck(database).run();

        assertThat(check.ok()).isTrue();
        assertThat(check.customers()).isEqualTo(2);
    }

    private DemoDatabase database(String... inserts) throws Exception {
        DemoDatabase database = new DemoDatabase(dir);
        database.createSchema();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            for (String insert : inserts) {
                sql.execute(insert);
            }
        }
        return database;
    }
}
