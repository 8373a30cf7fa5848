package io.denormq.tx.spring.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.sql.DataSource;

import io.denormq.Codecs;
import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Publishing through {@code ApplicationEventPublisher} in a real Spring Boot application (Boot's H2
 * {@code DataSource} and transaction manager, {@code @Transactional} proxies, the auto-configured queue
 * and forwarder): a {@code @Transactional} service inserts a row and calls {@code publishEvent}, a
 * {@code MessageHandler} bean reads the event back typed and checks, on its own connection, that the
 * row was committed when it ran.
 *
 * <p>One subclass per Spring Boot generation: Boot 3.5 here, Boot 4 in {@code boot4-tests}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EventPublishingContract {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    private TestDatabase.Namespace database;
    private ConfigurableApplicationContext context;
    private DenormQueue queue;
    private OrderService orders;
    private Received received;
    private SpringListeners spring;

    /** @return the Spring Boot major version this test must run on (3 or 4) */
    protected abstract int bootGeneration();

    @BeforeAll
    void startApplication() throws Exception {
        assertThat(SpringBootVersion.getVersion()).as("Spring Boot on the classpath").startsWith(bootGeneration() + ".");
        database = TestDatabase.h2().fresh("events_" + bootGeneration());
        context = start(ShopApplication.class, database, "shop");
        queue = context.getBean(DenormQueue.class);
        orders = context.getBean(OrderService.class);
        received = context.getBean(Received.class);
        spring = context.getBean(SpringListeners.class);
    }

    @AfterAll
    void stopApplication() throws Exception {
        try {
            if (context != null) {
                context.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierTests() throws InterruptedException {
        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        received.messages.clear();
        spring.events.clear();
        spring.afterCommit.clear();
    }

    @Test
    void shouldJournalAMarkedEventInThePublishersTransactionAndDeliverItTypedAfterTheCommit() throws InterruptedException {
        OrderPlaced order = new OrderPlaced(1, "customer-1", 2_500);
        orders.place(order, false);

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).containsExactly(new Received.Entry("order-placed", "customer-1", order, true));
    }

    @Test
    void shouldPublishNothingWhenTheTransactionRollsBack() throws InterruptedException {
        assertThatThrownBy(() -> orders.place(new OrderPlaced(2, "customer-2", 100), true))
                .hasMessageContaining("rejected");
        OrderPlaced later = new OrderPlaced(3, "customer-2", 300);
        orders.place(later, false);

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).as("the rolled-back order's event never arrives, the later one does")
                .extracting(Received.Entry::payload).containsExactly(later);
    }

    @Test
    void shouldReleaseAtOnceOutsideATransactionAsPublishDoes() throws InterruptedException {
        OrderPlaced event = new OrderPlaced(4, "customer-4", 400);
        context.publishEvent(event);
        queue.publish("order-placed", "customer-4", (Object) event);

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).as("publishEvent and publish outside a transaction: both delivered, alike")
                .extracting(Received.Entry::topic, Received.Entry::key, Received.Entry::payload)
                .containsExactly(tuple("order-placed", "customer-4", event),
                        tuple("order-placed", "customer-4", event));
    }

    @Test
    void shouldLeaveUnmarkedEventsToSpringAndStillGiveMarkedOnesToSpringsListeners() throws InterruptedException {
        OrderViewed viewed = new OrderViewed(5);
        OrderPlaced placed = new OrderPlaced(6, "customer-6", 600);
        orders.view(viewed);
        orders.place(placed, false);
        context.publishEvent(viewed);

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).as("only the marked event reaches the queue")
                .extracting(Received.Entry::payload).containsExactly(placed);
        assertThat(spring.events).as("@EventListener: every event, marked or not")
                .containsExactly(viewed, placed, viewed);
        assertThat(spring.afterCommit).as("@TransactionalEventListener: marked events too").containsExactly(placed);
    }

    /**
     * A handler bean publishes a follow-up event with {@code publishEvent}, on its own thread, outside any
     * transaction: the follow-up is released at once and handled like any other.
     */
    @Test
    void shouldLetAHandlerPublishFollowUpEventsThroughSpring() throws InterruptedException {
        orders.place(new OrderPlaced(8, "customer-8", FollowUps.TRIGGER), false);

        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (received.messages.size() < 2 && System.nanoTime() < deadline) {
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        }
        assertThat(received.messages).extracting(Received.Entry::topic, Received.Entry::payload)
                .containsExactly(tuple("order-placed", new OrderPlaced(8, "customer-8", FollowUps.TRIGGER)),
                        tuple("audit", new Audited("followed up order 8")));
    }

    @Test
    void shouldReadTheKeyFromAComponentAFieldAnInterfaceMethodOrNone() throws InterruptedException {
        ShipmentBooked shipment = new ShipmentBooked();
        shipment.region = Region.EU;
        shipment.shipmentId = 77;
        List<Object> events = List.of(new StockCounted(7, 40), new Audited("login"),
                new CustomerRenamed("c-9", "Ada"), shipment);
        events.forEach(context::publishEvent);

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).extracting(Received.Entry::topic, Received.Entry::key)
                .containsExactly(tuple("stock-counted", "7"),
                        tuple("audit", null),
                        tuple("customer-events", "c-9"),
                        tuple("shipments", "EU"));
        assertThat(received.messages).extracting(Received.Entry::payload)
                .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(events);
    }

    @Test
    void shouldRefuseMisconfiguredEventTypesNamingThemAndRollBack() throws InterruptedException {
        assertMisconfigured(new NoTopic(1), NoTopic.class, "without a topic");
        assertMisconfigured(new TwoKeys("a", "b"), TwoKeys.class, "2 members marked @DenormqKey",
                "record component first", "record component second");
        assertMisconfigured(new ListKey(List.of("x")), ListKey.class, "record component items", "java.util.List",
                "mark a method that returns the key as a String");
        assertMisconfigured(new KeyWithParameter(1), KeyWithParameter.class, "method shard()", "takes parameters");
        assertMisconfigured(new MarkedApplicationEvent(this), MarkedApplicationEvent.class, "extends ApplicationEvent");
        assertThatThrownBy(() -> context.publishEvent(new NoTopic(2))).as("refused again, outside a transaction")
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(NoTopic.class.getName());

        assertThat(queue.awaitProcessed(AWAIT)).isTrue();
        assertThat(received.messages).isEmpty();
    }

    /**
     * An application whose event multicaster runs listeners on an executor: the forwarder must still
     * run on the publishing thread, inside its transaction, or a rolled-back order would be delivered
     * and a committed one could be delivered before its commit.
     */
    @Test
    void shouldPublishInThePublishersTransactionEvenWithAnAsynchronousMulticaster() throws Exception {
        try (TestDatabase.Namespace asyncDatabase = TestDatabase.h2().fresh("events_async_" + bootGeneration());
             ConfigurableApplicationContext async = start(AsyncShopApplication.class, asyncDatabase, "async")) {
            OrderService asyncOrders = async.getBean(OrderService.class);
            Received asyncReceived = async.getBean(Received.class);
            assertThatThrownBy(() -> asyncOrders.place(new OrderPlaced(10, "customer-10", 1), true))
                    .hasMessageContaining("rejected");
            OrderPlaced committed = new OrderPlaced(11, "customer-10", 2);
            asyncOrders.place(committed, false);

            assertThat(async.getBean(DenormQueue.class).awaitProcessed(AWAIT)).isTrue();
            assertThat(asyncReceived.messages)
                    .containsExactly(new Received.Entry("order-placed", "customer-10", committed, true));
        }
    }

    private void assertMisconfigured(Object event, Class<?> type, String... says) {
        long id = System.nanoTime();
        assertThatThrownBy(() -> orders.insertAndPublish(id, event)).as(type.getSimpleName())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(type.getName())
                .hasMessageContainingAll(says);
        assertThat(OrderService.exists(context.getBean(JdbcTemplate.class), id)).as("the transaction that published a misconfigured %s rolled back",
                type.getSimpleName()).isFalse();
    }

    private static ConfigurableApplicationContext start(Class<?> application, TestDatabase.Namespace database,
                                                        String name) throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-events-" + name).resolve("journal");
        return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "spring.datasource.url=" + database.url(),
                        "denormq.journal-dir=" + journalDir)
                .run();
    }

    // The events, as an application writes them.

    /** Marked; the key is a record component. */
    @DenormqEvent(topic = "order-placed")
    public record OrderPlaced(long orderId, @DenormqKey String customer, long totalCents) {
    }

    /** Not marked: Spring's alone. */
    public record OrderViewed(long orderId) {
    }

    /** A primitive key. */
    @DenormqEvent(topic = "stock-counted")
    public record StockCounted(@DenormqKey long sku, int count) {
    }

    /** No key. */
    @DenormqEvent(topic = "audit")
    public record Audited(String what) {
    }

    /** Topic and key declared once, on an interface a family of events implements. */
    @DenormqEvent(topic = "customer-events")
    public interface CustomerEvent {
        /** @return the customer, the events' key */
        @DenormqKey
        String customerId();
    }

    /** Inherits topic and key from {@link CustomerEvent}. */
    public record CustomerRenamed(String customerId, String name) implements CustomerEvent {
    }

    /** Where shipments go; its {@code toString()} is not its name, which is the key. */
    public enum Region {
        EU, US;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A class, not a record: the key is an enum field. */
    @DenormqEvent(topic = "shipments")
    public static final class ShipmentBooked {
        /** The key: its name. */
        @DenormqKey
        public Region region;
        /** Not the key. */
        public long shipmentId;
    }

    @DenormqEvent(topic = " ")
    public record NoTopic(long id) {
    }

    @DenormqEvent(topic = "two-keys")
    public record TwoKeys(@DenormqKey String first, @DenormqKey String second) {
    }

    @DenormqEvent(topic = "list-key")
    public record ListKey(@DenormqKey List<String> items) {
    }

    @DenormqEvent(topic = "key-with-parameter")
    public record KeyWithParameter(long id) {
        @DenormqKey
        String shard(int shards) {
            return Long.toString(id % shards);
        }
    }

    @DenormqEvent(topic = "application-event")
    public static final class MarkedApplicationEvent extends ApplicationEvent {
        private static final long serialVersionUID = 1L;

        MarkedApplicationEvent(Object source) {
            super(source);
        }
    }

    // The application.

    /** Inserts an order and publishes its event in one {@code @Transactional} method, as Modulith users do. */
    public static class OrderService {
        private final ApplicationEventPublisher events;
        private final JdbcTemplate jdbc;

        OrderService(ApplicationEventPublisher events, DataSource dataSource) {
            this.events = events;
            this.jdbc = new JdbcTemplate(dataSource);
        }

        /**
         * @param order  the order
         * @param reject whether to fail after publishing (the transaction rolls back)
         */
        @Transactional
        public void place(OrderPlaced order, boolean reject) {
            insertAndPublish(order.orderId(), order);
            // a forwarder that published outside the transaction would be delivered now, before the row is committed
            sleep();
            if (reject) {
                throw new IllegalStateException("order " + order.orderId() + " rejected");
            }
        }

        /**
         * @param id    the row to insert
         * @param event the event to publish after it
         */
        @Transactional
        public void insertAndPublish(long id, Object event) {
            jdbc.update("insert into orders values (?)", id);
            events.publishEvent(event);
        }

        /** @param viewed an unmarked event, published in a transaction */
        @Transactional
        public void view(OrderViewed viewed) {
            events.publishEvent(viewed);
        }

        /**
         * @param jdbc a template whose connection is not the publisher's
         * @param id   an order
         * @return whether the order's row is committed
         */
        static boolean exists(JdbcTemplate jdbc, long id) {
            return jdbc.queryForObject("select count(*) from orders where id = ?", Integer.class, id) > 0;
        }

        private static void sleep() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The handler bean: every message, read back typed, and whether its order row was committed when it ran. */
    public static final class Received implements MessageHandler {
        /**
         * @param topic     the message's topic
         * @param key       its key
         * @param payload   its payload, read as the type its topic carries
         * @param committed for an order, whether its row was visible on the handler's own connection
         */
        public record Entry(String topic, String key, Object payload, boolean committed) {
        }

        final List<Entry> messages = Collections.synchronizedList(new ArrayList<>());
        private final JdbcTemplate jdbc;

        Received(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public void onMessage(Message message) {
            Object payload = switch (message.topic()) {
                case "order-placed" -> message.payload(OrderPlaced.class);
                case "stock-counted" -> message.payload(StockCounted.class);
                case "audit" -> message.payload(Audited.class);
                case "customer-events" -> message.payload(CustomerRenamed.class);
                case "shipments" -> message.payload(ShipmentBooked.class);
                default -> message.payload(Codecs.utf8());   // nothing else is expected: recorded to be seen
            };
            boolean committed = !(payload instanceof OrderPlaced order) || OrderService.exists(jdbc, order.orderId());
            messages.add(new Entry(message.topic(), message.key(), payload, committed));
        }
    }

    /** A second handler bean, which answers some orders with an event published through Spring. */
    public static final class FollowUps implements MessageHandler {
        static final long TRIGGER = 999;
        private final ApplicationEventPublisher events;

        FollowUps(ApplicationEventPublisher events) {
            this.events = events;
        }

        @Override
        public void onMessage(Message message) {
            if (message.topic().equals("order-placed")) {
                OrderPlaced order = message.payload(OrderPlaced.class);
                if (order.totalCents() == TRIGGER) {
                    events.publishEvent(new Audited("followed up order " + order.orderId()));
                }
            }
        }
    }

    /** Spring's own listeners, which must keep receiving what they did. */
    public static final class SpringListeners {
        final List<Object> events = Collections.synchronizedList(new ArrayList<>());
        final List<Object> afterCommit = Collections.synchronizedList(new ArrayList<>());

        @EventListener
        void on(OrderViewed event) {
            events.add(event);
        }

        @EventListener
        void on(OrderPlaced event) {
            events.add(event);
        }

        @TransactionalEventListener
        void afterCommit(OrderPlaced event) {
            afterCommit.add(event);
        }
    }

    /** The application: Boot's auto-configuration from {@code denormq.journal-dir} and a datasource URL. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        @Bean
        OrderService orderService(ApplicationEventPublisher events, DataSource dataSource) {
            new JdbcTemplate(dataSource).execute("create table orders(id bigint primary key)");
            return new OrderService(events, dataSource);
        }

        @Bean
        Received received(JdbcTemplate jdbc) {
            return new Received(jdbc);
        }

        @Bean
        FollowUps followUps(ApplicationEventPublisher events) {
            return new FollowUps(events);
        }

        @Bean
        SpringListeners springListeners() {
            return new SpringListeners();
        }
    }

    /** The same application with listeners run on an executor. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class AsyncShopApplication extends ShopApplication {
        @Bean
        SimpleApplicationEventMulticaster applicationEventMulticaster() {
            SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
            multicaster.setTaskExecutor(new SimpleAsyncTaskExecutor("events-"));
            return multicaster;
        }
    }
}
