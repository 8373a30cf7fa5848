package io.denormq.tx.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.tx.applied.AppliedPositionTable;
import io.denormq.tx.spring.boot.DenormqListener;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The README's listener-method example, compiled and run (on Spring Boot 3.5 here, on Spring Boot 4 in
 * {@code boot4-tests}) so that it cannot rot. The region between the {@code tag::} and {@code end::}
 * comments is quoted in the README.
 */
class ListenerExample {

    /** The event, published with {@code queue.publish("order-placed", customer, new OrderPlaced(...))}. */
    record OrderPlaced(long orderId, String customer, long totalCents) {
    }

    // tag::listener[]
    @Component
    static class CustomerTotals {
        private final JdbcTemplate jdbc;
        private final DenormQueue queue;                     // a listener bean may inject the queue
        final List<String> bigOrders = new CopyOnWriteArrayList<>();

        CustomerTotals(JdbcTemplate jdbc, DenormQueue queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        // runs in a transaction that also moves its applied position: a re-delivery changes nothing
        @DenormqListener(name = "customer-totals", topics = "order-placed", exactlyOnce = true)
        void on(OrderPlaced order) {
            jdbc.update("update customer_totals set total = total + ? where customer = ?",
                    order.totalCents(), order.customer());
        }

        // 4 threads, each customer's orders in release order on one of them; at least once
        @DenormqListener(name = "big-orders", topics = {"order-placed", "order-amended"}, partitions = 4)
        void big(OrderPlaced order, Message message) {
            if (order.totalCents() >= 100_000) {
                bigOrders.add(message.topic() + " " + order.orderId());
                queue.publish("big-order", message.key(), order);   // a follow-up, to other handlers
            }
        }
    }
    // end::listener[]

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
    }

    @Test
    void totalsAndBigOrdersFollowThePublishedEvents() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-listener-example").resolve("journal");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class,
                CustomerTotals.class).web(WebApplicationType.NONE).properties("spring.main.banner-mode=off",
                "spring.datasource.url=jdbc:h2:mem:listener-example;DB_CLOSE_DELAY=-1",
                "denormq.journal-dir=" + journalDir).run()) {
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            jdbc.execute(new AppliedPositionTable(AppliedPositionTable.DEFAULT_NAME).ddl());
            jdbc.execute("create table customer_totals(customer varchar(40) primary key, total bigint)");
            jdbc.execute("insert into customer_totals values ('customer-42', 0)");
            DenormQueue queue = context.getBean(DenormQueue.class);
            context.getBean(TransactionTemplate.class).executeWithoutResult(status -> {
                queue.publish("order-placed", "customer-42", new OrderPlaced(1, "customer-42", 250_000));
                queue.publish("order-placed", "customer-42", new OrderPlaced(2, "customer-42", 99));
            });
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(jdbc.queryForObject("select total from customer_totals", Long.class)).isEqualTo(250_099);
            assertThat(context.getBean(CustomerTotals.class).bigOrders).containsExactly("order-placed 1");
        }
    }
}
