package io.denormq.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.denormq.DenormQueue;
import io.denormq.json.Jackson2Codec;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * The README's example of typed messages, compiled and run: a record published with the queue's
 * JSON codec and read back by a handler as the same record.
 */
class TypedMessagesExample {

    // tag::event[]
    record OrderPlaced(long orderId, String customer, long totalCents, List<String> items) {
    }
    // end::event[]

    @Test
    void publishesARecordAndReadsItBack() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-typed-example").resolve("journal");
        Map<String, Long> totals = new ConcurrentHashMap<>();

        // tag::example[]
        DenormQueue queue = DenormQueue.builder(journalDir)
                .codec(Jackson2Codec.create())                 // or Jackson3Codec.of(yourMapper)
                .handler("customer-totals", message -> {
                    OrderPlaced order = message.payload(OrderPlaced.class);  // decoded from the journal's bytes
                    totals.merge(order.customer(), order.totalCents(), Long::sum);
                })
                .build();

        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:typed-example")) {
            ProgrammaticTransactions.run(connection, c -> {
                // insert the order with c, then:
                queue.publish("order-placed", "customer-42", new OrderPlaced(1, "customer-42", 2_500, List.of("sku-7")));
                return null;
            });
        }
        // end::example[]
        try {
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(totals).isEqualTo(Map.of("customer-42", 2_500L));
        } finally {
            queue.close();
        }
    }
}
