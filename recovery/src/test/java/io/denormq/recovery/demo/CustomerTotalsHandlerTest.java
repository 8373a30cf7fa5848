package io.denormq.recovery.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.denormq.tx.applied.JdbcTransactionalHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomerTotalsHandlerTest {
    @TempDir
    Path dir;

    @Test
    void shouldApplyARedeliveredMessageOnlyOnceAndIgnoreARolledBackOrder() throws Exception {
        DemoDatabase database = new DemoDatabase(dir);
        database.createSchema();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("insert into orders values (1, 'alice', 100), (2, 'alice', 20)");
        }
        StubMessage first = new StubMessage("alice", 77, new OrderPlaced(1, 100));
        StubMessage second = new StubMessage("alice", 78, new OrderPlaced(2, 20));
        StubMessage rolledBack = new StubMessage("alice", 79, new OrderPlaced(3, 5)); // order 3 never committed

        try (JdbcTransactionalHandler handler = CustomerTotalsHandler.adapter(database)) {
            handler.onMessage(first);
            handler.onMessage(second);
            handler.onMessage(rolledBack);
            handler.onCaughtUp();
            handler.onMessage(first); // re-delivered after a crash: same sequences, same order
            handler.onMessage(second);
            handler.onCaughtUp();
            assertThat(handler.deduplicated()).isEqualTo(2);
        }

        assertThat(new ReadModelCheck(database).run().mismatches()).isEmpty();
    }
}
