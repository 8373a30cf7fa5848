package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.tx.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot application as a user writes it, started the way a user starts it: the
 * auto-configuration from the {@code denormq.journal-dir} property alone, Boot's own
 * {@code DataSource} (HikariCP) and transaction manager, Actuator, an embedded Tomcat on a random
 * port, a controller calling a {@code @Transactional} service that inserts a row and publishes, and
 * a {@code MessageHandler} bean keeping a read model. Everything is checked over HTTP: orders are
 * placed with {@code POST}, some are rejected after they published (their transaction rolls back),
 * and then {@code GET /actuator/health} must show {@code denormq} UP with the handler's details and
 * its processed count, {@code GET /actuator/metrics} must list the {@code denormq.*} meters, and
 * the handler's processed counter must equal the committed orders.
 *
 * <p>One subclass per Spring Boot generation and database: the same application runs on Spring Boot
 * 3.5 in this module and on Spring Boot 4 in {@code boot4-tests}, on H2 and on PostgreSQL. Each
 * subclass names the generation it expects, so that a test run on the wrong Boot fails instead of
 * proving the wrong thing.
 */
public abstract class BootApplicationContract {
    private static final int ORDERS = 40;
    /** Every 5th order is rejected after it published: its transaction rolls back. */
    private static final int REJECT_EVERY = 5;
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final List<String> METERS = List.of("denormq.handler.processed", "denormq.handler.lag",
            "denormq.handler.lag.time", "denormq.handler.retries", "denormq.handler.dead.letters",
            "denormq.handler.halted", "denormq.batches.unresolved", "denormq.journal.usable", "denormq.errors");

    /** @return the database the application's {@code spring.datasource.*} points to */
    protected abstract TestDatabase database();

    /** @return the Spring Boot major version this test must run on (3 or 4) */
    protected abstract int bootGeneration();

    /** @return the simple name of the health indicator class the auto-configuration must create on this generation */
    protected abstract String expectedHealthIndicator();

    @Test
    void shouldPublishFromATransactionalServiceAndShowHealthAndMetricsOverHttp() throws Exception {
        assertThat(SpringBootVersion.getVersion()).as("Spring Boot version on the classpath")
                .startsWith(bootGeneration() + ".");
        TestDatabase database = database();
        try (TestDatabase.Namespace namespace = database.fresh("boot_app_" + bootGeneration())) {
            Path journalDir = Files.createTempDirectory("denormq-boot-app").resolve("journal");
            List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                    "spring.datasource.url=" + namespace.url(), "spring.datasource.hikari.maximum-pool-size=8",
                    "denormq.journal-dir=" + journalDir,
                    "management.endpoints.web.exposure.include=health,metrics",
                    "management.endpoint.health.show-details=always"));
            if (namespace.user() != null) {
                properties.add("spring.datasource.username=" + namespace.user());
                properties.add("spring.datasource.password=" + namespace.password());
            }
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class)
                    .web(WebApplicationType.SERVLET).properties(properties.toArray(String[]::new)).run()) {
                assertThat(context.getBean("denormqHealthIndicator").getClass().getSimpleName())
                        .as("health indicator of Spring Boot %s", SpringBootVersion.getVersion())
                        .isEqualTo(expectedHealthIndicator());
                String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

                Map<Integer, Integer> statuses = new LinkedHashMap<>();
                for (int id = 1; id <= ORDERS; id++) {
                    int status = http.send(HttpRequest.newBuilder(URI.create(base + "/orders/" + id))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                    statuses.merge(status, 1, Integer::sum);
                }
                int rejected = ORDERS / REJECT_EVERY;
                int committed = ORDERS - rejected;
                assertThat(statuses).as("HTTP statuses").isEqualTo(Map.of(201, committed, 409, rejected));
                assertThat(context.getBean(DenormQueue.class).awaitProcessed(AWAIT)).as("handler caught up").isTrue();

                JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                assertThat(jdbc.queryForList("select order_id from order_view order by order_id", Long.class))
                        .as("orders the handler saw: exactly the committed ones, once each")
                        .isEqualTo(jdbc.queryForList("select id from orders order by id", Long.class))
                        .hasSize(committed);

                HttpResponse<String> health = get(http, base + "/actuator/health");
                assertThat(health.statusCode()).as("health status code, body %s", health.body()).isEqualTo(200);
                String denormq = jsonObject(health.body(), "denormq");
                assertThat(denormq).as("denormq in %s", health.body()).isNotNull();
                String details = jsonObject(denormq, "details");
                assertThat(details).as("denormq's details in %s", denormq).isNotNull()
                        .contains("\"closed\":false").contains("\"journalFull\":false");
                // Jackson 2 (Boot 3) writes status before details, Jackson 3 (Boot 4) sorts them: look outside the details
                assertThat(denormq.replace("\"details\":" + details, "")).as("denormq's own status in %s", denormq)
                        .contains("\"status\":\"UP\"");
                String handler = jsonObject(details, "customer-totals");
                assertThat(handler).as("the handler's details in %s", denormq).isNotNull()
                        .contains("\"status\":\"OK\"").contains("\"processed\":" + committed)
                        .contains("\"deadLetters\":0").contains("\"lagMessages\":0");

                HttpResponse<String> metrics = get(http, base + "/actuator/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                for (String meter : METERS) {
                    assertThat(metrics.body()).as("/actuator/metrics lists %s", meter).contains("\"" + meter + "\"");
                }
                HttpResponse<String> processed = get(http,
                        base + "/actuator/metrics/denormq.handler.processed?tag=handler:customer-totals");
                assertThat(processed.statusCode()).as(processed.body()).isEqualTo(200);
                Matcher value = Pattern.compile("\"value\":([0-9.]+)").matcher(processed.body());
                assertThat(value.find()).as(processed.body()).isTrue();
                assertThat(Double.parseDouble(value.group(1))).as("denormq.handler.processed").isEqualTo(committed);
            }
        }
    }

    /**
     * Typed events on the application's own Jackson: a {@code @Transactional} service publishes a record
     * with {@code publish(topic, key, value)}, a handler bean reads it with {@code payload(OrderPlaced.class)},
     * and the payload is written by the mapper Boot configured (its naming strategy shows in the bytes):
     * Jackson 3's {@code JsonMapper} on Boot 4, Jackson 2's {@code ObjectMapper} on Boot 3.
     */
    @Test
    void shouldHandleARecordPublishedByATransactionalServiceAsTheSameRecord() throws Exception {
        assertThat(SpringBootVersion.getVersion()).startsWith(bootGeneration() + ".");
        try (TestDatabase.Namespace namespace = database().fresh("boot_typed_" + bootGeneration())) {
            Path journalDir = Files.createTempDirectory("denormq-boot-typed").resolve("journal");
            List<String> properties = new ArrayList<>(List.of("spring.main.banner-mode=off",
                    "spring.datasource.url=" + namespace.url(), "denormq.journal-dir=" + journalDir,
                    "spring.jackson.property-naming-strategy=SNAKE_CASE"));
            if (namespace.user() != null) {
                properties.add("spring.datasource.username=" + namespace.user());
                properties.add("spring.datasource.password=" + namespace.password());
            }
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TypedShopApplication.class)
                    .web(WebApplicationType.NONE).properties(properties.toArray(String[]::new)).run()) {
                assertThat(context.getBean(io.denormq.PayloadCodec.class).getClass().getSimpleName())
                        .as("default codec on Spring Boot %s", SpringBootVersion.getVersion())
                        .isEqualTo(bootGeneration() >= 4 ? "Jackson3Codec" : "Jackson2Codec");
                TypedOrderService service = context.getBean(TypedOrderService.class);
                List<OrderPlaced> published = new ArrayList<>();
                for (int id = 1; id <= 6; id++) {
                    OrderPlaced order = new OrderPlaced(id, "customer-" + (id % 2), 1_000L * id + 5,
                            List.of("sku-" + id));
                    try {
                        service.place(order);
                        published.add(order);
                    } catch (IllegalArgumentException rejected) {
                        // rolled back: its event must not be handled
                    }
                }
                assertThat(published).hasSize(4);
                assertThat(context.getBean(DenormQueue.class).awaitProcessed(AWAIT)).isTrue();
                TypedOrderLog log = context.getBean(TypedOrderLog.class);
                assertThat(log.received).as("what the handler read with payload(OrderPlaced.class)")
                        .isEqualTo(published);
                assertThat(log.json.get(0)).as("written by Boot's mapper, with its naming strategy")
                        .contains("\"total_cents\":1005").doesNotContain("totalCents");
            }
        }
    }

    /** The typed event: a record, as an application writes one. */
    record OrderPlaced(long orderId, String customer, long totalCents, List<String> items) {
    }

    /** The handler bean: reads each event as the record it was published as. */
    static final class TypedOrderLog implements MessageHandler {
        final List<OrderPlaced> received = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> json = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onMessage(io.denormq.Message message) {
            received.add(message.payload(OrderPlaced.class));
            json.add(message.payload(Codecs.utf8()));
        }
    }

    /** Inserts the order and publishes its event in one {@code @Transactional} method; odd-numbered thirds are rejected. */
    static class TypedOrderService {
        private final JdbcTemplate jdbc;
        private final ObjectProvider<DenormQueue> queue;

        TypedOrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        @Transactional
        public void place(OrderPlaced order) {
            jdbc.update("insert into typed_orders values (?)", order.orderId());
            queue.getObject().publish("order-placed", order.customer(), order);
            if (order.orderId() % 3 == 0) {
                throw new IllegalArgumentException("order " + order.orderId() + " rejected");
            }
        }
    }

    /** A second application: a transactional service publishing typed events, a handler bean reading them. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TypedShopApplication {
        @Bean
        TypedOrderService typedOrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            jdbc.execute("create table typed_orders(id bigint primary key)");
            return new TypedOrderService(jdbc, queue);
        }

        @Bean
        TypedOrderLog orderLog() {
            return new TypedOrderLog();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the JSON object that is the value of the first {@code "key":} in {@code json}, or null */
    static String jsonObject(String json, String key) {
        int at = json.indexOf("\"" + key + "\":{");
        if (at < 0) {
            return null;
        }
        int start = at + key.length() + 3;
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(start, i + 1);
            }
        }
        throw new AssertionError("unterminated object " + key + " in " + json);
    }

    /** The application: a controller, a transactional service, a read-model handler bean; nothing denormq-specific but the property. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        @Bean
        OrderService orderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            jdbc.execute("create table orders(id bigint primary key, customer varchar(20) not null, amount bigint not null)");
            jdbc.execute("create table order_view(order_id bigint not null, customer varchar(20) not null)");
            return new OrderService(jdbc, queue);
        }

        @Bean
        OrderController orderController(OrderService orders) {
            return new OrderController(orders);
        }

        /** Runs after each commit, on the queue's thread, with its own connection from Boot's pool. */
        @Bean
        @DenormqHandler("customer-totals")
        MessageHandler customerTotals(JdbcTemplate jdbc) {
            return message -> jdbc.update("insert into order_view values (?, ?)",
                    Long.parseLong(message.payload(Codecs.utf8())), message.key());
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

        OrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        @Transactional
        public void place(long id) {
            String customer = "customer-" + (id % 7);
            jdbc.update("insert into orders values (?, ?, ?)", id, customer, id % 97 + 1);
            queue.getObject().publish("order-placed", customer, Long.toString(id), Codecs.utf8());
            if (id % REJECT_EVERY == 0) {
                throw new IllegalArgumentException("order " + id + " rejected");
            }
        }
    }
}
