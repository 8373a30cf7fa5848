package io.denormq.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * The README's complete example, compiled and run so that it cannot rot. The regions between the
 * {@code tag::} and {@code end::} comments are quoted in the README.
 */
class QuickStartExample {

    @Test
    void orderTotalsFollowTheOrdersTable() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-example").resolve("journal");
        String url = "jdbc:h2:mem:example;DB_CLOSE_DELAY=-1";
        try (Connection setup = DriverManager.getConnection(url); Statement ddl = setup.createStatement()) {
            ddl.execute("create table orders(id bigint primary key, customer varchar(40), amount int)");
            ddl.execute("create table customer_totals(customer varchar(40) primary key, total int, last_sequence bigint)");
        }
        Connection readModel = DriverManager.getConnection(url);

        // tag::example[]
        DenormQueue queue = DenormQueue.builder(journalDir)          // WRITE_AHEAD, FlushPolicy.none()
                .handler("customer-totals", message -> {              // runs on its own thread, after the commit
                    try (PreparedStatement upsert = readModel.prepareStatement(
                            "merge into customer_totals t using (values (?, ?, ?)) s(customer, amount, seq) "
                                    + "on t.customer = s.customer "
                                    + "when matched and t.last_sequence < s.seq then "
                                    + "  update set total = t.total + s.amount, last_sequence = s.seq "
                                    + "when not matched then insert values (s.customer, s.amount, s.seq)")) {
                        upsert.setString(1, message.key());
                        upsert.setInt(2, Integer.parseInt(message.payload(Codecs.utf8())));
                        upsert.setLong(3, message.sequence());   // a re-delivery has the same sequence: skipped
                        upsert.executeUpdate();
                    }
                })
                .build();                                             // locks the directory, recovers, dispatches

        try (Connection connection = DriverManager.getConnection(url)) {
            ProgrammaticTransactions.run(connection, c -> {           // journal, then commit, then release
                try (PreparedStatement insert = c.prepareStatement("insert into orders values (?, ?, ?)")) {
                    insert.setLong(1, 1);
                    insert.setString(2, "customer-42");
                    insert.setInt(3, 250);
                    insert.executeUpdate();
                }
                queue.publish("order-placed", "customer-42", "250", Codecs.utf8());
                return null;
            });
        }
        queue.awaitProcessed(Duration.ofSeconds(10));
        queue.close();                                                // drains, writes cursors, unlocks
        // end::example[]

        try (Statement query = readModel.createStatement();
             ResultSet rows = query.executeQuery("select total from customer_totals where customer = 'customer-42'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(250);
        }
        readModel.close();
    }
}
