package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.Partitions;
import io.denormq.tx.TestDatabase;
import io.denormq.tx.applied.AppliedPositionTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link DenormqListener} methods in real Spring Boot applications, started the way a user starts
 * one ({@code @EnableAutoConfiguration}, Boot's {@code DataSource}, transaction manager and Jackson
 * mapper): typed delivery, topic filtering, several methods on one bean, partitions, the
 * exactly-once variant across a re-delivery, a listener bean that injects the queue, and every
 * misconfiguration refused at start-up with a message naming the bean and the method.
 *
 * <p>One subclass per Spring Boot generation and database, as {@link BootApplicationContract}.
 */
public abstract class ListenerMethodsContract {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    /** Boot 3's and Boot 4's names; Boot ignores an excluded class that is not on the classpath. */
    private static final String WITHOUT_JACKSON = "spring.autoconfigure.exclude="
            + "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration,"
            + "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration";
    private static final String WITHOUT_DATA_SOURCE = "spring.autoconfigure.exclude="
            + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration,"
            + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

    private final Supplier<TestDatabase> database;
    private final int bootGeneration;
    private Path journalDir;

    /**
     * @param database       the database the application's {@code spring.datasource.*} points to (asked
     *                       for in each test: PostgreSQL's is skipped, or failed under CI, when it is down)
     * @param bootGeneration the Spring Boot major version this test must run on (3 or 4)
     */
    protected ListenerMethodsContract(Supplier<TestDatabase> database, int bootGeneration) {
        this.database = database;
        this.bootGeneration = bootGeneration;
    }

    private TestDatabase database() {
        return database.get();
    }

    private int bootGeneration() {
        return bootGeneration;
    }

    @BeforeEach
    void setUp() throws Exception {
        assertThat(SpringBootVersion.getVersion()).as("Spring Boot version on the classpath")
                .startsWith(bootGeneration + ".");
        journalDir = Files.createTempDirectory("denormq-listeners").resolve("journal");
    }

    // ---------------------------------------------------------------------------------------------
    // Delivery
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldDeliverTypedEventsOfTheListedTopicsOnlyToEachMethodOfOneBean() throws Exception {
        Shop shop;
        DenormQueue queue;
        try (TestDatabase.Namespace namespace = database().fresh("listeners_" + bootGeneration());
             ConfigurableApplicationContext context = start(namespace, List.of(), ShopApplication.class)) {
            queue = context.getBean(DenormQueue.class);
            Shop proxy = context.getBean(Shop.class);
            assertThat(AopUtils.isAopProxy(proxy)).as("the listener bean is a proxy").isTrue();
            shop = (Shop) AopProxyUtils.getSingletonTarget(proxy); // what it recorded: a proxy's own fields are empty
            assertThat(queue.cursors()).as("one handler per method, named by the annotation")
                    .containsOnlyKeys("orders-placed", "orders-withdrawn", "order-bytes", "customer-audit");

            OrderPlaced first = new OrderPlaced(1, "customer-1", 1_005, List.of("sku-1"));
            OrderPlaced second = new OrderPlaced(2, "customer-2", 2_005, List.of("sku-2", "sku-3"));
            queue.publish("order-placed", first.customer(), first);
            // valid for every method's type: only the filter keeps it from them
            queue.publish("order-archived", "customer-9", new OrderPlaced(9, "customer-9", 9, List.of()));
            queue.publish("order-cancelled", "customer-1", new OrderWithdrawn(1, "changed my mind"));
            queue.publish("order-placed", second.customer(), second);
            queue.publish("order-refunded", "customer-2", new OrderWithdrawn(2, "broken"));
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            // the follow-ups the listener published through the queue it injects
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();

            assertThat(shop.placed).as("on(OrderPlaced): typed, its topic only, in order")
                    .containsExactly(first, second);
            assertThat(shop.withdrawn).as("on(OrderWithdrawn, Message): both its topics, with the message")
                    .containsExactly("order-cancelled/customer-1/" + new OrderWithdrawn(1, "changed my mind"),
                            "order-refunded/customer-2/" + new OrderWithdrawn(2, "broken"));
            assertThat(shop.bytes).as("bytes(byte[]): the payload as published").hasSize(2);
            assertThat(shop.bytes.get(0)).contains("\"orderId\":1").contains("\"customer\":\"customer-1\"");
            assertThat(shop.audited).as("audit(Message): the follow-ups, published from a listener")
                    .containsExactly("customer-updated/customer-1 in a transaction",
                            "customer-updated/customer-2 in a transaction");
            assertThat(queue.deadLetters()).as("nothing failed (a message of another topic would not decode)")
                    .isEmpty();
        }
        assertThat(shop.queueClosedWhenDestroyed).as("the queue is closed before its listener bean is destroyed")
                .isTrue();
        assertThat(queue.isClosed()).isTrue();
    }

    @Test
    void shouldKeepEachKeysOrderAcrossPartitions() throws Exception {
        try (TestDatabase.Namespace namespace = database().fresh("listeners_partitions_" + bootGeneration());
             ConfigurableApplicationContext context = start(namespace, List.of(), PartitionedApplication.class)) {
            DenormQueue queue = context.getBean(DenormQueue.class);
            assertThat(queue.cursors()).containsOnlyKeys("steps#0", "steps#1", "steps#2", "steps#3");
            List<String> keys = oneKeyPerPartition(4);
            int steps = 200;
            for (int step = 0; step < steps; step++) {
                for (String key : keys) {
                    queue.publish("step", key, new Step(key, step));
                }
            }
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            Steps received = context.getBean(Steps.class);
            for (String key : keys) {
                assertThat(received.byKey.get(key)).as("steps of %s, in release order", key)
                        .containsExactlyElementsOf(IntStream.range(0, steps).boxed().toList());
                assertThat(received.threadsByKey.get(key)).as("threads that ran %s", key).hasSize(1);
            }
            assertThat(received.threadsByKey.values().stream().flatMap(Set::stream).distinct())
                    .as("one thread per partition").hasSize(4);
        }
    }

    @Test
    void shouldApplyEachMessageOnceInTheListenersTransactionEvenWhenDeliveredAgain() throws Exception {
        try (TestDatabase.Namespace namespace = database().fresh("listeners_once_" + bootGeneration())) {
            List<OrderPlaced> orders = IntStream.rangeClosed(1, 25)
                    .mapToObj(id -> new OrderPlaced(id, "customer-" + id % 3, 100L * id, List.of())).toList();
            try (ConfigurableApplicationContext context = start(namespace, List.of(), ExactlyOnceApplication.class)) {
                DenormQueue queue = context.getBean(DenormQueue.class);
                orders.forEach(order -> queue.publish("order-placed", order.customer(), order));
                queue.publish("order-archived", "customer-1", orders.get(0)); // not its topic
                assertThat(queue.awaitProcessed(AWAIT)).isTrue();
                Totals totals = context.getBean(Totals.class);
                assertThat(totals.calls).as("one call per order").hasSize(orders.size());
                assertThat(totals.calls).as("each in an active transaction").containsOnly(true);
                assertThat(totals(context)).isEqualTo(expectedTotals(orders));
                assertThat(context.getBean(JdbcTemplate.class).queryForObject(
                        "select count(*) from " + AppliedPositionTable.DEFAULT_NAME + " where handler = 'customer-totals'",
                        Integer.class)).as("applied position rows, one per partition that had an order")
                        .isEqualTo((int) orders.stream().map(order -> Partitions.of(order.customer(), 2)).distinct().count());
            }
            // the cursors are lost: the next start is delivered every message again
            Files.delete(journalDir.resolve("checkpoint.dat"));
            try (ConfigurableApplicationContext context = start(namespace, List.of(), ExactlyOnceApplication.class)) {
                assertThat(context.getBean(DenormQueue.class).awaitProcessed(AWAIT)).isTrue();
                Totals totals = context.getBean(Totals.class);
                assertThat(totals.calls).as("re-deliveries skipped by the applied position").isEmpty();
                assertThat(totals.seen).as("the at-least-once listener is delivered everything again")
                        .containsExactlyElementsOf(orders.stream().map(OrderPlaced::orderId).toList());
                assertThat(totals(context)).isEqualTo(expectedTotals(orders));
                assertThat(context.getBean(DenormQueue.class).stats().handlers())
                        .as("the replay waited for the bean: nothing failed and was retried")
                        .allSatisfy(handler -> assertThat(handler.retries()).as(handler.name()).isZero());
            }
        }
    }

    private static Map<String, Long> totals(ConfigurableApplicationContext context) {
        Map<String, Long> totals = new LinkedHashMap<>();
        context.getBean(JdbcTemplate.class).query("select customer, total from customer_totals order by customer",
                row -> {
                    totals.put(row.getString(1), row.getLong(2));
                });
        return totals;
    }

    private static Map<String, Long> expectedTotals(List<OrderPlaced> orders) {
        Map<String, Long> totals = new java.util.TreeMap<>();
        orders.forEach(order -> totals.merge(order.customer(), order.totalCents(), Long::sum));
        return new LinkedHashMap<>(totals);
    }

    // ---------------------------------------------------------------------------------------------
    // Misconfiguration
    // ---------------------------------------------------------------------------------------------

    static Stream<Arguments> misconfigurations() {
        return Stream.of(
                Arguments.of(BlankName.class, List.of("BlankName.on(Message)", "name is blank")),
                Arguments.of(NoTopic.class, List.of("NoTopic.on(Message)", "at least one topic")),
                Arguments.of(EmptyTopic.class, List.of("EmptyTopic.on(Message)", "none of them empty")),
                Arguments.of(TwoMethodsOneName.class, List.of("'twice' is registered twice",
                        "TwoMethodsOneName.first(Message)", "TwoMethodsOneName.second(Message)")),
                Arguments.of(HandlerBeanAndListenerOneName.class, List.of("'totals' is registered twice",
                        "bean 'totals'", "NamedLikeAHandler.on(Message) of bean 'namedLikeAHandler'")),
                Arguments.of(NoParameter.class, List.of("NoParameter.on()", "has 0 parameters")),
                Arguments.of(ThreeParameters.class, List.of("ThreeParameters.on(OrderPlaced, Message, String)",
                        "has 3 parameters")),
                Arguments.of(SecondNotAMessage.class, List.of("SecondNotAMessage.on(OrderPlaced, String)",
                        "second parameter must be an io.denormq.Message")),
                Arguments.of(TwoMessages.class, List.of("TwoMessages.on(Message, Message)", "second parameter")),
                Arguments.of(ReturnsAValue.class, List.of("ReturnsAValue.on(Message)", "returns String")),
                Arguments.of(GenericParameter.class, List.of("GenericParameter.on(List)", "is generic")),
                Arguments.of(StaticMethod.class, List.of("StaticMethod.on(Message)", "it is static")),
                Arguments.of(NoPartitions.class, List.of("NoPartitions.on(Message)", "partitions = 0")),
                Arguments.of(TooManyPartitions.class, List.of("TooManyPartitions.on(Message)", "partitions = 65")),
                Arguments.of(BatchWithoutExactlyOnce.class, List.of("BatchWithoutExactlyOnce.on(Message)",
                        "batchSize = 10 is only valid with exactlyOnce")),
                Arguments.of(NoBatch.class, List.of("NoBatch.on(Message)", "batchSize = 0 must be at least 1")),
                Arguments.of(PrototypeListener.class, List.of("PrototypeListener", "must be a singleton")),
                Arguments.of(PrivateOnAProxy.class, List.of("PrivateOnAProxy.on(Message)",
                        "cannot be called on the bean")),
                Arguments.of(OwnQueue.class, List.of("not registered: method OwnListener.on(Message) of bean 'ownListener'",
                        "defines its own DenormQueue bean")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misconfigurations")
    void shouldRefuseToStartAMisconfiguredListenerNamingTheBeanAndTheMethod(Class<?> misconfigured,
                                                                           List<String> expected) throws Exception {
        try (TestDatabase.Namespace namespace = database().fresh("listeners_refused_" + bootGeneration())) {
            assertRefused(namespace, List.of(), misconfigured, expected);
        }
    }

    @Test
    void shouldRefuseATypedParameterWhenNoCodecCanProduceIt() throws Exception {
        try (TestDatabase.Namespace namespace = database().fresh("listeners_no_codec_" + bootGeneration())) {
            assertRefused(namespace, List.of(WITHOUT_JACKSON), TypedWithoutCodec.class,
                    List.of("TypedWithoutCodec.on(OrderPlaced)", "no codec can produce its parameter",
                            OrderPlaced.class.getName(), "PayloadCodec bean"));
            // without a codec, the raw forms still work
            try (ConfigurableApplicationContext context = start(namespace, List.of(WITHOUT_JACKSON),
                    MinimalApplication.class, RawWithoutCodec.class)) {
                assertThat(context.getBeanNamesForType(io.denormq.PayloadCodec.class)).as("no codec").isEmpty();
                DenormQueue queue = context.getBean(DenormQueue.class);
                queue.publish("raw", "k", "hello".getBytes(StandardCharsets.UTF_8));
                assertThat(queue.awaitProcessed(AWAIT)).isTrue();
                assertThat(context.getBean(RawWithoutCodec.class).received).containsExactly("hello");
            }
        }
    }

    @Test
    void shouldRefuseExactlyOnceWithoutATransactionManager() throws Exception {
        try (TestDatabase.Namespace namespace = database().fresh("listeners_no_tx_" + bootGeneration())) {
            assertRefused(namespace, List.of(WITHOUT_DATA_SOURCE), ExactlyOnceWithoutDatabase.class,
                    List.of("ExactlyOnceWithoutDatabase.on(Message)", "exactlyOnce = true",
                            "PlatformTransactionManager bean", "there is none"));
        }
    }

    private void assertRefused(TestDatabase.Namespace namespace, List<String> properties, Class<?> misconfigured,
                               List<String> expected) {
        assertThatThrownBy(() -> start(namespace, properties, MinimalApplication.class, misconfigured).close())
                .as("start-up with %s", misconfigured.getSimpleName())
                .satisfies(failure -> assertThat(refusal(failure)).as("the refusal in %s", failure).isNotNull()
                        .satisfies(refusal -> assertThat(refusal.getMessage()).contains(expected)));
    }

    /** @return the ConfigurationException that stopped the start-up, in Spring's chain of causes */
    private static ConfigurationException refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigurationException refusal) {
                return refusal;
            }
        }
        return null;
    }

    private ConfigurableApplicationContext start(TestDatabase.Namespace namespace, List<String> extra,
                                                 Class<?>... sources) {
        List<String> properties = new ArrayList<>(List.of("spring.main.banner-mode=off",
                "spring.datasource.url=" + namespace.url(), "denormq.journal-dir=" + journalDir));
        if (namespace.user() != null) {
            properties.add("spring.datasource.username=" + namespace.user());
            properties.add("spring.datasource.password=" + namespace.password());
        }
        properties.addAll(extra);
        return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new)).run();
    }

    /** @return keys that go to partitions 0 .. count - 1, one each */
    private static List<String> oneKeyPerPartition(int count) {
        Map<Integer, String> keys = new java.util.TreeMap<>();
        for (int i = 0; keys.size() < count; i++) {
            keys.putIfAbsent(Partitions.of("customer-" + i, count), "customer-" + i);
        }
        return List.copyOf(keys.values());
    }

    // ---------------------------------------------------------------------------------------------
    // The applications
    // ---------------------------------------------------------------------------------------------

    /** A typed event, as an application writes one. */
    record OrderPlaced(long orderId, String customer, long totalCents, List<String> items) {
    }

    /** Another event type. */
    record OrderWithdrawn(long orderId, String reason) {
    }

    /** A step of a key's sequence. */
    record Step(String key, int number) {
    }

    /** Nothing but the auto-configuration: the misconfigured beans are added as sources. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class MinimalApplication {
    }

    /** One bean with four listener methods, which injects the queue to publish follow-ups. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        @Bean
        Shop shop(DenormQueue queue) {
            return new Shop(queue);
        }
    }

    /** Four listener methods: typed, typed with the message, bytes, message; publishes through the injected queue. */
    static class Shop {
        final List<OrderPlaced> placed = new CopyOnWriteArrayList<>();
        final List<String> withdrawn = new CopyOnWriteArrayList<>();
        final List<String> bytes = new CopyOnWriteArrayList<>();
        final List<String> audited = new CopyOnWriteArrayList<>();
        private final DenormQueue queue;
        volatile boolean queueClosedWhenDestroyed;

        Shop(DenormQueue queue) {
            this.queue = queue;
        }

        @DenormqListener(name = "orders-placed", topics = "order-placed")
        void on(OrderPlaced order) {
            placed.add(order);
            queue.publish("customer-updated", order.customer(), order.customer().getBytes(StandardCharsets.UTF_8));
        }

        @DenormqListener(name = "orders-withdrawn", topics = {"order-cancelled", "order-refunded"})
        public void on(OrderWithdrawn withdrawal, Message message) {
            withdrawn.add(message.topic() + "/" + message.key() + "/" + withdrawal);
        }

        @DenormqListener(name = "order-bytes", topics = "order-placed")
        void bytes(byte[] payload) {
            bytes.add(new String(payload, StandardCharsets.UTF_8));
        }

        /** {@code @Transactional} makes the bean a proxy: the methods are called through it, its advice applies. */
        @DenormqListener(name = "customer-audit", topics = "customer-updated")
        @Transactional
        public void audit(Message message) {
            audited.add(message.topic() + "/" + message.key() + (TransactionSynchronizationManager
                    .isActualTransactionActive() ? " in a transaction" : ""));
        }

        @PreDestroy
        void destroyed() {
            queueClosedWhenDestroyed = queue.isClosed();
        }
    }

    /** A partitioned listener. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class PartitionedApplication {
        @Bean
        Steps steps() {
            return new Steps();
        }
    }

    /** Records each key's steps and the threads that ran them. */
    static class Steps {
        final Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
        final Map<String, Set<String>> threadsByKey = new ConcurrentHashMap<>();

        @DenormqListener(name = "steps", topics = "step", partitions = 4)
        void on(Step step, Message message) throws InterruptedException {
            byKey.computeIfAbsent(message.key(), key -> Collections.synchronizedList(new ArrayList<>()))
                    .add(step.number());
            threadsByKey.computeIfAbsent(message.key(), key -> ConcurrentHashMap.newKeySet())
                    .add(Thread.currentThread().getName());
            if (step.number() % 50 == 0) {
                Thread.sleep(1); // let the partitions interleave
            }
        }
    }

    /** An exactly-once listener keeping totals in the application's database. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ExactlyOnceApplication {
        @Bean
        Totals totals(JdbcTemplate jdbc) {
            jdbc.execute("create table if not exists customer_totals(customer varchar(40) primary key, total bigint not null)");
            jdbc.execute(new AppliedPositionTable(AppliedPositionTable.DEFAULT_NAME).ddl());
            return new Totals(jdbc);
        }

        /** Created after the queue, slowly: the replayed messages reach the listener before its bean is looked up. */
        @Bean
        String slowBeanAfterTheQueue(DenormQueue queue) throws InterruptedException {
            Thread.sleep(500);
            return "started";
        }
    }

    /** Adds each order to its customer's total, in the adapter's transaction; also counts orders, at least once. */
    static class Totals {
        final List<Boolean> calls = new CopyOnWriteArrayList<>();
        final List<Long> seen = new CopyOnWriteArrayList<>();
        private final JdbcTemplate jdbc;

        Totals(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @DenormqListener(name = "customer-totals", topics = "order-placed", partitions = 2, exactlyOnce = true,
                batchSize = 10)
        void on(OrderPlaced order) {
            calls.add(TransactionSynchronizationManager.isActualTransactionActive());
            if (jdbc.update("update customer_totals set total = total + ? where customer = ?", order.totalCents(),
                    order.customer()) == 0) {
                jdbc.update("insert into customer_totals values (?, ?)", order.customer(), order.totalCents());
            }
        }

        @DenormqListener(name = "orders-seen", topics = "order-placed")
        void seen(OrderPlaced order) {
            seen.add(order.orderId());
        }
    }

    /** Raw payloads need no codec. */
    static class RawWithoutCodec {
        final List<String> received = new CopyOnWriteArrayList<>();

        @DenormqListener(name = "raw", topics = "raw")
        void on(byte[] payload) {
            received.add(new String(payload, StandardCharsets.UTF_8));
        }
    }

    // The misconfigured beans, one line each: each is the only listener of its application.
    static class TypedWithoutCodec { @DenormqListener(name = "typed", topics = "t") void on(OrderPlaced order) { } }
    static class ExactlyOnceWithoutDatabase { @DenormqListener(name = "once", topics = "t", exactlyOnce = true) void on(Message message) { } }
    static class BlankName { @DenormqListener(name = " ", topics = "t") void on(Message message) { } }
    static class NoTopic { @DenormqListener(name = "no-topic", topics = {}) void on(Message message) { } }
    static class EmptyTopic { @DenormqListener(name = "empty-topic", topics = {"t", ""}) void on(Message message) { } }
    static class TwoMethodsOneName { @DenormqListener(name = "twice", topics = "t") void first(Message message) { } @DenormqListener(name = "twice", topics = "u") void second(Message message) { } }
    static class NoParameter { @DenormqListener(name = "none", topics = "t") void on() { } }
    static class ThreeParameters { @DenormqListener(name = "three", topics = "t") void on(OrderPlaced order, Message message, String extra) { } }
    static class SecondNotAMessage { @DenormqListener(name = "second", topics = "t") void on(OrderPlaced order, String extra) { } }
    static class TwoMessages { @DenormqListener(name = "two-messages", topics = "t") void on(Message first, Message second) { } }
    static class ReturnsAValue { @DenormqListener(name = "returns", topics = "t") String on(Message message) { return "ignored"; } }
    static class GenericParameter { @DenormqListener(name = "generic", topics = "t") void on(List<OrderPlaced> orders) { } }
    static class StaticMethod { @DenormqListener(name = "static", topics = "t") static void on(Message message) { } }
    static class NoPartitions { @DenormqListener(name = "no-partitions", topics = "t", partitions = 0) void on(Message message) { } }
    static class TooManyPartitions { @DenormqListener(name = "many-partitions", topics = "t", partitions = 65) void on(Message message) { } }
    static class BatchWithoutExactlyOnce { @DenormqListener(name = "batch", topics = "t", batchSize = 10) void on(Message message) { } }
    static class NoBatch { @DenormqListener(name = "no-batch", topics = "t", exactlyOnce = true, batchSize = 0) void on(Message message) { } }
    @Scope("prototype") static class PrototypeListener { @DenormqListener(name = "prototype", topics = "t") void on(Message message) { } }

    /** {@code @Transactional} makes it a proxy, which cannot pass a call to a private method on to the bean. */
    static class PrivateOnAProxy {
        @Transactional
        public void write() {
        }

        @DenormqListener(name = "private", topics = "t")
        private void on(Message message) {
        }
    }

    /** A {@code MessageHandler} bean registered under its bean name, and a listener method with that name. */
    @Configuration(proxyBeanMethods = false)
    static class HandlerBeanAndListenerOneName {
        @Bean
        MessageHandler totals() {
            return message -> { };
        }

        @Bean
        NamedLikeAHandler namedLikeAHandler() {
            return new NamedLikeAHandler();
        }
    }

    static class NamedLikeAHandler { @DenormqListener(name = "totals", topics = "t") void on(Message message) { } }

    /** The application builds its own queue: the auto-configuration cannot register the listener. */
    @Configuration(proxyBeanMethods = false)
    static class OwnQueue {
        @Bean(destroyMethod = "close")
        DenormQueue ownQueue(org.springframework.core.env.Environment environment) {
            return DenormQueue.builder(Path.of(environment.getProperty("denormq.journal-dir"))).build();
        }

        @Bean
        OwnListener ownListener() {
            return new OwnListener();
        }
    }

    static class OwnListener { @DenormqListener(name = "own", topics = "t") void on(Message message) { } }
}
