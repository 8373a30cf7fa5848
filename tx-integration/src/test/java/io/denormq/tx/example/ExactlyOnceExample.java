package io.denormq.tx.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.applied.AppliedPositionTable;
import io.denormq.tx.applied.JdbcTransactionalHandler;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The README's exactly-once example, compiled and run so that it cannot rot. The region between
 * the {@code tag::} and {@code end::} comments is quoted in the README.
 */
class ExactlyOnceExample {

    @Test
    void totalsAreAppliedOnceEvenWhenEverythingIsDeliveredAgain() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-exactly-once").resolve("journal");
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:exactly-once-example;DB_CLOSE_DELAY=-1");
        try (Connection connection = dataSource.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("create table customer_totals(customer varchar(40) primary key, total bigint)");
            ddl.execute("insert into customer_totals values ('customer-42', 0)");
        }

        for (int run = 0; run < 2; run++) {
            // tag::example[]
            new AppliedPositionTable("denormq_applied").createIfMissing(dataSource);   // opt-in; or the shipped DDL
            JdbcTransactionalHandler totals = JdbcTransactionalHandler.builder("customer-totals", dataSource)
                    .batchSize(100)                        // up to 100 messages per transaction; 1 by default
                    .handler((message, connection) -> {    // runs in the adapter's transaction: do not commit
                        try (PreparedStatement update = connection.prepareStatement(
                                "update customer_totals set total = total + ? where customer = ?")) {
                            update.setLong(1, Long.parseLong(message.payload(Codecs.utf8())));
                            update.setString(2, message.key());
                            update.executeUpdate();
                        }
                    })
                    .build();
            DenormQueue queue = DenormQueue.builder(journalDir).handler("customer-totals", totals).build();
            // end::example[]
            if (run == 0) {
                queue.publish("order-placed", "customer-42", "250", Codecs.utf8());
                queue.publish("order-placed", "customer-42", "99", Codecs.utf8());
            }
            queue.awaitProcessed(Duration.ofSeconds(10));
            queue.close();
            totals.close();
            if (run == 0) { // the cursors are lost: the second run is delivered everything again
                Files.delete(journalDir.resolve("checkpoint.dat"));
            } else {
                assertThat(totals.deduplicated()).isEqualTo(2);
            }
        }
        try (Connection connection = dataSource.getConnection(); Statement query = connection.createStatement();
             ResultSet rows = query.executeQuery("select total from customer_totals")) {
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(349);
        }
    }
}
