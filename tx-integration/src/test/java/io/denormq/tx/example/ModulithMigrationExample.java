package io.denormq.tx.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.spring.boot.DenormqHandler;
import io.denormq.tx.spring.events.DenormqEvent;
import io.denormq.tx.spring.events.DenormqKey;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The README's migration from Spring Modulith's event publication registry, compiled and run so that
 * it cannot rot: a Spring Boot application whose {@code @Transactional} service publishes a record
 * with {@code ApplicationEventPublisher}, and a handler bean keeping a read model from it. The regions
 * between the {@code tag::} and {@code end::} comments are quoted in the README. Runs on Spring Boot
 * 3.5 here and on Spring Boot 4 in {@code boot4-tests}.
 */
class ModulithMigrationExample {

    // tag::event[]
    @DenormqEvent(topic = "order-placed")                  // the one change: mark the event type
    record OrderPlaced(long orderId, @DenormqKey String customer, long totalCents) { }
    // end::event[]

    // tag::service[]
    @Service
    static class OrderService {                           // the same as under Modulith
        private final JdbcTemplate jdbc;
        private final ApplicationEventPublisher events;   // Spring's: the application context

        OrderService(JdbcTemplate jdbc, ApplicationEventPublisher events) {
            this.jdbc = jdbc;
            this.events = events;
        }

        @Transactional
        public void place(long orderId, String customer, long totalCents) {
            jdbc.update("insert into orders values (?, ?, ?)", orderId, customer, totalCents);
            events.publishEvent(new OrderPlaced(orderId, customer, totalCents));
        }
    }
    // end::service[]

    // tag::listener[]
    @Component
    @DenormqHandler("customer-totals")                     // the durable cursor's name: keep it
    static class CustomerTotals implements MessageHandler {
        private final JdbcTemplate jdbc;

        CustomerTotals(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public void onMessage(Message message) {          // after the commit, on the handler's own thread
            OrderPlaced event = message.payload(OrderPlaced.class);
            jdbc.update("merge into customer_totals t using (values (?, ?, ?)) s(customer, amount, seq) "
                            + "on t.customer = s.customer "
                            + "when matched and t.last_sequence < s.seq then "
                            + "  update set total = t.total + s.amount, last_sequence = s.seq "
                            + "when not matched then insert values (s.customer, s.amount, s.seq)",
                    event.customer(), event.totalCents(), message.sequence());
        }
    }
    // end::listener[]

    /** The application: Boot's auto-configuration, the two beans above, and the tables. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({OrderService.class, CustomerTotals.class})
    static class Shop {
    }

    @Test
    void customerTotalsFollowOrdersPublishedAsApplicationEvents() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-modulith-example").resolve("journal");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Shop.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off",
                        "spring.datasource.url=jdbc:h2:mem:modulith-example;DB_CLOSE_DELAY=-1",
                        "denormq.journal-dir=" + journalDir)
                .run()) {
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            jdbc.execute("create table orders(id bigint primary key, customer varchar(40), total bigint)");
            jdbc.execute("create table customer_totals(customer varchar(40) primary key, total bigint, "
                    + "last_sequence bigint)");
            OrderService orders = context.getBean(OrderService.class);

            orders.place(1, "customer-42", 250);
            orders.place(2, "customer-42", 99);
            new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
                orders.place(3, "customer-42", 1_000);           // joins this transaction, which rolls back
                status.setRollbackOnly();
            });

            assertThat(context.getBean(DenormQueue.class).awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(jdbc.queryForObject("select total from customer_totals where customer = 'customer-42'",
                    Long.class)).as("the committed orders only").isEqualTo(349);
        }
    }
}
