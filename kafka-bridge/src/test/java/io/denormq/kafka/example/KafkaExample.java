package io.denormq.kafka.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.kafka.DenormqHeaders;
import io.denormq.kafka.DenormqRecordDeduplicator;
import io.denormq.kafka.KafkaBridge;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.tx.ProgrammaticTransactions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The README's Kafka example, compiled and run against a real broker so that it cannot rot. The
 * regions between the {@code tag::} and {@code end::} comments are quoted in the README.
 */
class KafkaExample {

    @Test
    void ordersReachKafkaAfterTheirCommit() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        broker.createTopic("orders", 3);
        String bootstrapServers = broker.bootstrapServers();
        Path journalDir = Files.createTempDirectory("denormq-kafka-example").resolve("journal");
        String url = "jdbc:h2:mem:kafka-example;DB_CLOSE_DELAY=-1";
        try (Connection setup = DriverManager.getConnection(url); Statement ddl = setup.createStatement()) {
            ddl.execute("create table orders(id bigint primary key, customer varchar(40), amount int)");
        }

        // tag::publish[]
        KafkaBridge kafka = KafkaBridge.builder()
                .bootstrapServers(bootstrapServers)
                .topic("order-placed", "orders")                       // denormq topic -> Kafka topic
                .source("orders-service-1")                            // optional: default <journal id>/<handler name>
                .producerProperty("compression.type", "lz4")           // any producer setting that keeps the guarantees
                .build();
        DenormQueue queue = DenormQueue.builder(journalDir)
                .handler("kafka", kafka)                               // the name keeps its cursor across restarts
                .build();

        try (Connection connection = DriverManager.getConnection(url)) {
            ProgrammaticTransactions.run(connection, c -> {            // journal, commit, then release to Kafka
                try (PreparedStatement insert = c.prepareStatement("insert into orders values (?, ?, ?)")) {
                    insert.setLong(1, 1);
                    insert.setString(2, "customer-42");
                    insert.setInt(3, 250);
                    insert.executeUpdate();
                }
                queue.publish("order-placed", "customer-42", "250", Codecs.utf8());  // key: customer-42's partition
                return null;
            });
        }
        queue.awaitProcessed(Duration.ofSeconds(30));                  // true once the broker acknowledged it
        queue.close();                                                 // drains into Kafka first
        kafka.close();
        // end::publish[]

        List<String> applied = new ArrayList<>();
        // tag::consume[]
        DenormqRecordDeduplicator deduplicator = new DenormqRecordDeduplicator();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "order-mailer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            while (applied.isEmpty()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (deduplicator.isDuplicate(record)) {
                        continue;                                      // a re-send after a crash: seen already
                    }
                    long id = DenormqHeaders.id(record.headers());     // stable across re-sends
                    applied.add(record.key() + " " + record.value() + " #" + id);
                }
            }
        }
        // end::consume[]
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0)).startsWith("customer-42 250 #");
    }
}
