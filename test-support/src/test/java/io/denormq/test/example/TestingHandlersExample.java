package io.denormq.test.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.denormq.json.Jackson2Codec;
import io.denormq.test.DenormqExtension;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's example of testing a handler with {@link DenormqExtension}, compiled and run: each test
 * gets a queue on a temporary journal, and asserts on what its transactions published and what the
 * handler processed.
 */
class TestingHandlersExample {
    record OrderPlaced(long orderId, String customer, long totalCents) {
    }

    static final Map<String, Long> totals = new ConcurrentHashMap<>();

    // tag::extension[]
    @RegisterExtension
    static DenormqExtension denormq = DenormqExtension.builder()   // a queue per test, on a temporary journal
            .codec(Jackson2Codec.create())
            .handler("customer-totals", message -> {
                OrderPlaced order = message.payload(OrderPlaced.class);
                totals.merge(order.customer(), order.totalCents(), Long::sum);
            })
            .build();

    @Test
    void placingAnOrderUpdatesTheCustomerTotal() throws Exception {
        placeOrder(new OrderPlaced(7, "customer-42", 2_500), false);

        assertThat(denormq.recorder().published("order-placed", OrderPlaced.class))   // what the commit released
                .containsExactly(new OrderPlaced(7, "customer-42", 2_500));
        denormq.recorder().awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
                order -> order.orderId() == 7, Duration.ofSeconds(10));               // or fails, listing what was
        assertThat(totals).containsEntry("customer-42", 2_500L);
    }

    @Test
    void aRolledBackOrderPublishesNothing() throws Exception {
        placeOrder(new OrderPlaced(8, "customer-43", 900), true);

        denormq.recorder().lastTransaction().assertRolledBack();                       // its message is never delivered
        assertThat(denormq.recorder().published()).isEmpty();
    }
    // end::extension[]

    @Test
    void waitingForAMessageNoHandlerProcessedFailsSayingWhatWasProcessed() throws Exception {
        placeOrder(new OrderPlaced(9, "customer-44", 100), false);
        assertThat(denormq.queue().awaitProcessed(Duration.ofSeconds(10))).isTrue();

        assertThatThrownBy(() -> denormq.recorder().awaitProcessed("customer-totals", "order-placed",
                OrderPlaced.class, order -> order.orderId() == 10, Duration.ofMillis(300)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Handler 'customer-totals' processed no 'order-placed' message whose OrderPlaced "
                        + "matches the condition within PT0.3S")
                .hasMessageContaining("it processed 1 message(s): order-placed [key customer-44] "
                        + "{\"orderId\":9,\"customer\":\"customer-44\",\"totalCents\":100}");
    }

    /** The application's code: an order row and its message in one transaction. */
    private static void placeOrder(OrderPlaced order, boolean fail) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:testing-handlers;DB_CLOSE_DELAY=-1")) {
            connection.createStatement().execute("create table if not exists orders(id bigint primary key, "
                    + "customer varchar(40), total bigint)");
            ProgrammaticTransactions.run(connection, c -> {
                try (var insert = c.prepareStatement("insert into orders values (?, ?, ?)")) {
                    insert.setLong(1, order.orderId());
                    insert.setString(2, order.customer());
                    insert.setLong(3, order.totalCents());
                    insert.executeUpdate();
                }
                denormq.queue().publish("order-placed", order.customer(), order);
                if (fail) {
                    throw new IllegalStateException("payment refused");
                }
                return List.of();
            });
        } catch (IllegalStateException refused) {
            assertThat(refused).hasMessage("payment refused");
        }
    }
}
