package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URI;
import java.sql.SQLException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.tx.applied.AppliedPositionTable;
import io.denormq.tx.spring.SpringTransactionalHandler;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application with a thread per request: a real embedded Tomcat on a random port,
 * {@code spring.threads.virtual.enabled=true}, a controller calling a {@code @Transactional} service
 * that inserts an H2 row and publishes, thousands of concurrent HTTP requests from the test, and a
 * read model kept by the transactional handler adapter ({@link SpringTransactionalHandler}), checked
 * exact: every committed order applied exactly once, no rolled-back order applied.
 *
 * <p>{@code spring.threads.virtual.enabled} takes effect on JDK 21 and later only: there Tomcat runs
 * each request on a virtual thread of its own (or, when a keep-alive connection already holds the
 * next request, on the thread that served the one before), so thousands of distinct threads
 * publish; the test asserts that every request ran on a virtual thread and that more than half of
 * them were distinct publishing threads (2 583 of 3 000 in a run of 3 000 on JDK 25). On JDK 17 the property does nothing and the requests run
 * on Tomcat's pool of platform threads (up to 200); the test asserts that too, and checks the same
 * read model. {@code .ci/run} runs this test on JDK 25 as well.
 */
class VirtualThreadsWebApplicationTest {
    private static final int REQUESTS = 2_000;
    private static final int CONCURRENT = 64;
    /** Every 10th order is rejected after it published: its transaction rolls back. */
    private static final int REJECT_EVERY = 10;
    private static final int CUSTOMERS = 50;
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final Method IS_VIRTUAL = isVirtualMethod();

    @Test
    void shouldApplyEveryCommittedOrderOnceWhenEachRequestRunsOnItsOwnThread() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-web").resolve("journal");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "spring.threads.virtual.enabled=true",
                        "denormq.journal-dir=" + journalDir, "spring.main.banner-mode=off")
                .run();
        try {
            ShopApplication shop = context.getBean(ShopApplication.class);
            int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
            long start = System.nanoTime();
            Map<Integer, Integer> statuses = post(port, REQUESTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            DenormQueue queue = context.getBean(DenormQueue.class);
            assertThat(queue.awaitProcessed(AWAIT)).as("handler caught up").isTrue();

            int rejected = REQUESTS / REJECT_EVERY;
            assertThat(statuses).as("HTTP statuses").isEqualTo(Map.of(201, REQUESTS - rejected, 409, rejected));
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("select count(*) from orders", Long.class)).isEqualTo(REQUESTS - rejected);
            assertThat(jdbc.queryForList("select order_id from order_view group by order_id having count(*) > 1",
                    Long.class)).as("orders applied more than once").isEmpty();
            assertThat(jdbc.queryForList("select order_id from order_view where order_id not in "
                    + "(select id from orders)", Long.class)).as("rolled-back orders applied").isEmpty();
            assertThat(jdbc.queryForList("select id from orders where id not in (select order_id from order_view)",
                    Long.class)).as("committed orders not applied").isEmpty();
            assertThat(jdbc.queryForList("select customer, total from customer_totals order by customer"))
                    .as("totals per customer").isEqualTo(jdbc.queryForList(
                            "select customer, cast(sum(amount) as bigint) as total from orders group by customer order by customer"));

            int publishingThreads = shop.publishingThreads.size();
            System.out.printf("%d requests in %.1f s (%d concurrent, JDK %d): %d on virtual threads, %d distinct "
                            + "publishing threads%n", REQUESTS, seconds, CONCURRENT, Runtime.version().feature(),
                    shop.onVirtualThreads.get(), publishingThreads);
            if (IS_VIRTUAL != null) {
                assertThat(shop.onVirtualThreads.get()).as("requests served on virtual threads").isEqualTo(REQUESTS);
                // a keep-alive connection's next request may run on the thread that served the one before
                assertThat(publishingThreads).as("distinct publishing threads").isGreaterThan(REQUESTS / 2);
            } else {
                assertThat(shop.onVirtualThreads.get()).isZero();
            }
        } finally {
            context.close();
        }
    }

    /** Sends {@code count} POSTs, {@link #CONCURRENT} at a time; returns how many got each status. */
    private static Map<Integer, Integer> post(int port, int count) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore slots = new Semaphore(CONCURRENT);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> sent = new ArrayList<>(count);
        for (int id = 1; id <= count; id++) {
            slots.acquire();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/" + id))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build();
            sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> {
                        slots.release();
                        statuses.merge(failure == null ? response.statusCode() : -1, 1, Integer::sum);
                    }));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        return statuses;
    }

    private static Method isVirtualMethod() {
        try {
            return Thread.class.getMethod("isVirtual"); // JDK 21 and later; the code compiles for 17
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static boolean onVirtualThread() {
        try {
            return IS_VIRTUAL != null && (Boolean) IS_VIRTUAL.invoke(Thread.currentThread());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A web shop as a user writes it: a controller, a transactional service, a read-model handler bean. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        final AtomicInteger onVirtualThreads = new AtomicInteger();
        final Set<Thread> publishingThreads = ConcurrentHashMap.newKeySet();

        @Bean
        OrderService orderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            jdbc.execute("create table orders(id bigint primary key, customer varchar(20) not null, "
                    + "amount bigint not null)");
            jdbc.execute("create table order_view(order_id bigint not null)");
            jdbc.execute("create table customer_totals(customer varchar(20) primary key, total bigint not null)");
            return new OrderService(jdbc, queue, this);
        }

        @Bean
        OrderController orderController(OrderService orders) {
            return new OrderController(orders);
        }

        /** The read model: one row per applied order and a total per customer, in the adapter's transaction. */
        @Bean
        @DenormqHandler("order-view")
        MessageHandler orderView(PlatformTransactionManager transactionManager, DataSource dataSource,
                                 JdbcTemplate jdbc) throws SQLException {
            new AppliedPositionTable("denormq_applied").createIfMissing(dataSource);
            return SpringTransactionalHandler.builder("order-view", transactionManager, dataSource)
                    .batchSize(50)
                    .handler(message -> {
                        String[] order = message.payload(Codecs.utf8()).split(":");
                        jdbc.update("insert into order_view values (?)", Long.parseLong(order[0]));
                        long amount = Long.parseLong(order[1]);
                        if (jdbc.update("update customer_totals set total = total + ? where customer = ?", amount,
                                message.key()) == 0) {
                            jdbc.update("insert into customer_totals values (?, ?)", message.key(), amount);
                        }
                    })
                    .build();
        }
    }

    @RestController
    static class OrderController {
        private final OrderService orders;

        OrderController(OrderService orders) {
            this.orders = orders;
        }

        @PostMapping("/orders/{id}")
        ResponseEntity<String> place(@PathVariable("id") long id) {
            try {
                orders.place(id);
                return ResponseEntity.status(HttpStatus.CREATED).body(Long.toString(id));
            } catch (IllegalArgumentException e) {
                return ResponseEntity.status(HttpStatus.CONFLICT).body(e.getMessage());
            }
        }
    }

    /** Inserts the order and publishes in one {@code @Transactional} method; some orders are rejected after both. */
    static class OrderService {
        private final JdbcTemplate jdbc;
        private final ObjectProvider<DenormQueue> queue;
        private final ShopApplication shop;

        OrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue, ShopApplication shop) {
            this.jdbc = jdbc;
            this.queue = queue;
            this.shop = shop;
        }

        @Transactional
        public void place(long id) {
            String customer = "customer-" + (id % CUSTOMERS);
            long amount = id % 97 + 1;
            jdbc.update("insert into orders values (?, ?, ?)", id, customer, amount);
            queue.getObject().publish("order-placed", customer, id + ":" + amount, Codecs.utf8());
            shop.publishingThreads.add(Thread.currentThread());
            if (onVirtualThread()) {
                shop.onVirtualThreads.incrementAndGet();
            }
            if (id % REJECT_EVERY == 0) {
                throw new IllegalArgumentException("order " + id + " rejected");
            }
        }
    }
}
