package io.denormq.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.test.spring.DenormqTest;
import io.denormq.tx.spring.boot.DenormqHandler;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContextManager;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link DenormqTest} in a real Spring Boot application: Boot's {@code DataSource} (H2) and transaction
 * manager, the auto-configured queue and codec, a {@code @Transactional} service that inserts and
 * publishes, and a handler bean keeping a read model. One subclass per Boot generation: Boot 3.5 here,
 * Boot 4 in boot4-tests.
 */
// tag::annotation[]
@SpringBootTest(classes = DenormqTestSupportContract.ShopApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DenormqTest                                    // this context's own temporary journal, and a recorder bean
public abstract class DenormqTestSupportContract {
    // end::annotation[]
    private static final Duration AWAIT = Duration.ofSeconds(30);

    // tag::fields[]
    @Autowired
    private DenormqRecorder denormq;
    @Autowired
    private OrderService orders;                // a @Transactional service that inserts and publishes
    // end::fields[]
    @Autowired
    private JdbcTemplate jdbc;
    @Autowired
    private DenormQueue queue;
    @Autowired
    private Environment environment;

    /** @return the Spring Boot generation this subclass must run on (3 or 4) */
    protected abstract int bootGeneration();

    @Test
    void shouldGiveTheContextItsOwnTemporaryJournal() {
        assertThat(SpringBootVersion.getVersion()).startsWith(bootGeneration() + ".");
        Path journal = Path.of(environment.getProperty("denormq.journal-dir"));
        assertThat(queue.journalDirectory()).isEqualTo(journal).isDirectory();
        assertThat(journal.getParent().getFileName().toString()).startsWith("denormq-test-");
        assertThat(journal.getParent().getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    // tag::test[]
    @Test
    void shouldRecordWhatATransactionalServicePublishedAndWaitForTheHandler() throws Exception {
        orders.place(new OrderPlaced(1, "customer-42", 250));

        assertThat(denormq.transactions()).hasSize(1); // cleared before each test: the other test's is gone
        denormq.lastTransaction().assertCommitted();
        assertThat(denormq.published("order-placed", OrderPlaced.class))
                .containsExactly(new OrderPlaced(1, "customer-42", 250));
        denormq.awaitProcessed("customer-totals", "order-placed", OrderPlaced.class, order -> order.orderId() == 1,
                AWAIT);
        assertThat(jdbc.queryForObject("select total from customer_totals where customer = ?", Long.class,
                "customer-42")).isEqualTo(250L);
    }
    // end::test[]

    @Test
    void shouldRecordThatARolledBackServiceCallPublishedNothing() throws Exception {
        assertThatThrownBy(() -> orders.place(new OrderPlaced(2, "customer-43", -5)))
                .hasMessage("order 2: the amount must be positive");

        assertThat(denormq.transactions()).hasSize(1); // cleared before each test: the other test's is gone
        denormq.lastTransaction().assertRolledBack();
        assertThat(denormq.published()).isEmpty();
        assertThat(denormq.processed("customer-totals")).isEmpty();
    }

    @Test
    void shouldDeleteTheJournalWhenTheContextCloses() throws Exception {
        TestContextManager manager = new TestContextManager(ClosingContext.class);
        ClosingContext test = new ClosingContext();
        manager.prepareTestInstance(test);
        Path journal = test.queue.journalDirectory();
        assertThat(journal).isDirectory();
        assertThat(journal).isNotEqualTo(queue.journalDirectory()); // another context, another journal

        manager.getTestContext().markApplicationContextDirty(DirtiesContext.HierarchyMode.EXHAUSTIVE);

        assertThat(test.queue.isClosed()).isTrue();
        assertThat(journal.getParent()).doesNotExist();
    }

    /** A test class of its own configuration, so that closing its context leaves the suite's alone. */
    @SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
            properties = "spring.application.name=closing")
    @DenormqTest
    static class ClosingContext {
        @Autowired
        DenormQueue queue;
    }

    /** The event. */
    record OrderPlaced(long orderId, String customer, long amount) {
    }

    /** Inserts the order and publishes its event in one transaction; refuses a negative amount after publishing. */
    static class OrderService {
        private final JdbcTemplate jdbc;
        private final ObjectProvider<DenormQueue> queue;

        OrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        @Transactional
        public void place(OrderPlaced order) {
            jdbc.update("insert into orders values (?, ?, ?)", order.orderId(), order.customer(), order.amount());
            queue.getObject().publish("order-placed", order.customer(), order);
            if (order.amount() <= 0) {
                throw new IllegalArgumentException("order " + order.orderId() + ": the amount must be positive");
            }
        }
    }

    /** The application: Boot's DataSource, transaction manager, codec and queue, and two beans of its own. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        @Bean
        OrderService orderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            jdbc.execute("create table orders(id bigint primary key, customer varchar(40), amount bigint)");
            jdbc.execute("create table customer_totals(customer varchar(40) primary key, total bigint)");
            return new OrderService(jdbc, queue);
        }

        @Bean
        @DenormqHandler("customer-totals")
        MessageHandler customerTotals(JdbcTemplate jdbc) {
            return message -> {
                OrderPlaced order = message.payload(OrderPlaced.class);
                jdbc.update("merge into customer_totals t using (values (?, ?)) s(customer, amount) "
                        + "on t.customer = s.customer when matched then update set total = t.total + s.amount "
                        + "when not matched then insert values (s.customer, s.amount)", order.customer(), order.amount());
            };
        }
    }
}
