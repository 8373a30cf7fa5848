package io.denormq.recovery.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomerTotalsHandlerTest {
    @TempDir
    Path dir;

    @Test
    void shouldApplyARedeliveredMessageOnlyOnce() throws Exception {
        DemoDatabase database = new DemoDatabase(dir);
        database.createSchema();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("insert into orders values (1, 'alice', 100), (2, 'alice', 20)");
        }
        StubMessage first = new StubMessage("alice", 77, new OrderPlaced(1, 100));
        StubMessage second = new StubMessage("alice", 78, new OrderPlaced(2, 20));

        try (CustomerTotalsHandler handler = new CustomerTotalsHandler(database)) {
            handler.onMessage(first);
            handler.onMessage(second);
            handler.onMessage(first); // re-delivered after a crash: same sequences, same order
            handler.onMessage(second);
        }

        assertThat(new ReadModelCheck(database).run().mismatches()).isEmpty();
    }
}
