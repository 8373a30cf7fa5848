package io.denormq.recovery.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.denormq.recovery.cli.DenormqCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @Test
    void shouldKeepTheReadModelEqualToTheOrders() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new DenormqCli());
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute("demo", "--transactions", "400", "--customers", "20");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("read model check: OK (20 customers match the orders exactly)")
                .containsPattern("transactions: \\d+ committed, \\d+ rolled back")
                .contains("publish():");
    }

    @Test
    void shouldRunInAfterCommitModeToo() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new DenormqCli());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("demo", "--transactions", "200", "--durability", "AFTER_COMMIT")).as(out.toString()).isZero();
        assertThat(out.toString()).contains("read model check: OK");
    }

    @Test
    void shouldDetectAReadModelThatDiffersFromTheOrders() throws Exception {
        Path dir = Files.createTempDirectory("denormq-demo-check");
        DemoDatabase database = new DemoDatabase(dir);
        database.createSchema();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("insert into orders values (1, 'alice', 100), (2, 'alice', 50), (3, 'bob', 7)");
            sql.execute("insert into customer_totals values ('alice', 150, 2, 10), ('bob', 14, 2, 11), ('carol', 1, 1, 12)");
        }
        assertThat(database.mismatches()).containsExactlyInAnyOrder(
                "bob: orders say total=7 count=1, read model says total=14 count=2",
                "carol: in the read model but has no orders");
    }

    @Test
    void shouldApplyARedeliveredMessageOnlyOnce() throws Exception {
        Path dir = Files.createTempDirectory("denormq-demo-idempotent");
        DemoDatabase database = new DemoDatabase(dir);
        database.createSchema();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("insert into orders values (1, 'alice', 100)");
        }
        StubMessage message = new StubMessage("alice", 77, new OrderPlaced(1, 100));
        try (CustomerTotalsHandler handler = new CustomerTotalsHandler(database)) {
            handler.onMessage(message);
            handler.onMessage(message); // re-delivery after a crash: same sequence
        }
        assertThat(database.mismatches()).isEmpty();
    }
}
