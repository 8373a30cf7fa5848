package io.denormq.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import io.denormq.json.Jackson2Codec;
import io.denormq.tx.TestDatabase;
import io.denormq.tx.spring.SpringTransactionBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link DenormqExtension} with Spring transactions: a real {@link DataSourceTransactionManager} on H2,
 * the Spring binding, and a handler that keeps a read model in the same database.
 */
class DenormqExtensionSpringTest {
    record OrderPlaced(long orderId, String customer, long amount) {
    }

    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static TestDatabase.Namespace database;
    private static JdbcTemplate jdbc;

    @RegisterExtension
    static DenormqExtension denormq = DenormqExtension.builder()
            .transactions(new SpringTransactionBinding())
            .codec(Jackson2Codec.create())
            .handler("customer-totals", message -> {
                OrderPlaced order = message.payload(OrderPlaced.class);
                jdbc.update("merge into customer_totals t using (values (?, ?)) s(customer, amount) "
                        + "on t.customer = s.customer when matched then update set total = t.total + s.amount "
                        + "when not matched then insert values (s.customer, s.amount)", order.customer(), order.amount());
            })
            .build();

    private TransactionTemplate transactions;

    @BeforeEach
    void setUp() {
        database = TestDatabase.h2().fresh("denormq_extension_spring");
        jdbc = new JdbcTemplate(database.dataSource());
        jdbc.execute("create table orders(id bigint primary key, customer varchar(40), amount bigint)");
        jdbc.execute("create table customer_totals(customer varchar(40) primary key, total bigint)");
        transactions = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
    }

    @AfterEach
    void tearDown() throws Exception {
        database.close();
    }

    private void place(OrderPlaced order) {
        jdbc.update("insert into orders values (?, ?, ?)", order.orderId(), order.customer(), order.amount());
        denormq.queue().publish("order-placed", order.customer(), order);
    }

    @Test
    void shouldShowWhatACommittedTransactionPublishedAndWaitForItsReadModel() throws Exception {
        transactions.executeWithoutResult(status -> place(new OrderPlaced(1, "customer-42", 250)));

        denormq.recorder().lastTransaction().assertCommitted();
        assertThat(denormq.recorder().published("order-placed", OrderPlaced.class))
                .containsExactly(new OrderPlaced(1, "customer-42", 250));
        OrderPlaced processed = denormq.recorder().awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
                order -> order.orderId() == 1, AWAIT);
        assertThat(processed.customer()).isEqualTo("customer-42");
        // processed means acknowledged: the handler's write is there when the wait returns
        assertThat(jdbc.queryForObject("select total from customer_totals where customer = 'customer-42'", Long.class))
                .isEqualTo(250L);
    }

    @Test
    void shouldShowThatARolledBackTransactionPublishedNothing() throws Exception {
        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> {
            place(new OrderPlaced(2, "customer-43", 100));
            throw new IllegalStateException("payment refused");
        })).hasMessage("payment refused");
        transactions.executeWithoutResult(status -> {
            place(new OrderPlaced(3, "customer-43", 90));
            status.setRollbackOnly();
        });

        assertThat(denormq.recorder().transactions()).hasSize(2)
                .allSatisfy(RecordedTransaction::assertRolledBack);
        assertThat(denormq.recorder().published()).isEmpty();
        assertThatThrownBy(() -> denormq.recorder().awaitProcessed("customer-totals", "order-placed",
                OrderPlaced.class, order -> true, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("it processed 0 message(s); published and released: []");
        assertThat(jdbc.queryForObject("select count(*) from customer_totals", Long.class)).isZero();
    }

    @Test
    void shouldRecordARequiresNewTransactionApartFromTheOneAroundIt() throws Exception {
        TransactionTemplate requiresNew = new TransactionTemplate(transactions.getTransactionManager());
        requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        transactions.executeWithoutResult(outer -> {
            place(new OrderPlaced(4, "customer-44", 10));
            requiresNew.executeWithoutResult(inner -> place(new OrderPlaced(5, "customer-45", 20)));
            outer.setRollbackOnly();
        });

        List<RecordedTransaction> recorded = denormq.recorder().transactions();
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(0).assertRolledBack().messages()).extracting(message -> message.payload(OrderPlaced.class))
                .containsExactly(new OrderPlaced(4, "customer-44", 10));
        assertThat(recorded.get(1).assertCommitted().messages()).extracting(message -> message.payload(OrderPlaced.class))
                .containsExactly(new OrderPlaced(5, "customer-45", 20));
        denormq.recorder().awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
                order -> order.orderId() == 5, AWAIT);
        assertThat(denormq.recorder().processed("customer-totals")).hasSize(1);
    }
}
