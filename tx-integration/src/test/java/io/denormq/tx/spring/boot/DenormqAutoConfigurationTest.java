package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.spring.SpringTransactionBinding;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The auto-configuration in real Spring Boot contexts: embedded H2, Boot's own
 * {@code DataSourceTransactionManager}, {@code @Transactional} proxies.
 */
class DenormqAutoConfigurationTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final List<String> DELIVERED = new CopyOnWriteArrayList<>();

    private Path journalDir;
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class, DenormqAutoConfiguration.class));

    @BeforeEach
    void setUp() throws Exception {
        journalDir = Files.createTempDirectory("denormq-boot").resolve("journal");
        DELIVERED.clear();
    }

    @Test
    void shouldGiveABootAppAWorkingQueueWithOneProperty() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OrdersApplication.class)
                .web(WebApplicationType.NONE)
                .properties("denormq.journal-dir=" + journalDir)
                .run();
        DenormQueue queue;
        try {
            queue = context.getBean(DenormQueue.class);
            assertThat(context.getBean(TransactionBinding.class)).isInstanceOf(SpringTransactionBinding.class);
            assertThat(queue.cursors()).containsOnlyKeys("auditLog", "order-totals");
            OrderService orders = context.getBean(OrderService.class);
            orders.createTable();
            orders.place(1, false);
            assertThatThrownBy(() -> orders.place(2, true)).hasMessageContaining("rejected");
            orders.place(3, false);
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            // each handler runs on its own thread: order holds per handler; rolled-back order 2 never arrives
            assertThat(DELIVERED).filteredOn(d -> d.startsWith("auditLog:")).containsExactly("auditLog:1", "auditLog:3");
            assertThat(DELIVERED).filteredOn(d -> d.startsWith("order-totals:"))
                    .containsExactly("order-totals:1", "order-totals:3");

            assertThat(context.getBean(io.denormq.metrics.DenormqMetrics.class)).as("Micrometer is on the test classpath")
                    .isNotNull();
            Health health = context.getBean(DenormqHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKeys("handlers", "unresolvedBatches", "journal");
            assertThat(((Map<?, ?>) health.getDetails().get("handlers")).keySet()).map(Object::toString).containsOnly("auditLog", "order-totals");
        } finally {
            context.close();
        }
        assertThat(queue.isClosed()).as("closed with the context").isTrue();
    }

    @Test
    void shouldRefuseToStartWithoutAJournalDirectory() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("denormq.journal-dir is not set")
                    .hasMessageContaining("denormq.enabled=false");
        });
    }

    @Test
    void shouldApplyTheProperties() {
        AtomicInteger attempts = new AtomicInteger();
        runner.withPropertyValues("denormq.journal-dir=" + journalDir, "denormq.durability=after-commit",
                        "denormq.flush.policy=periodic", "denormq.flush.interval=25ms",
                        "denormq.retry.max-attempts=2", "denormq.retry.initial-backoff=1ms",
                        "denormq.retry.max-backoff=2ms")
                .withBean("failing", MessageHandler.class, () -> message -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("poison");
                })
                .run(context -> {
                    DenormQueue queue = context.getBean(DenormQueue.class);
                    assertThat(queue.toString()).contains("AFTER_COMMIT").contains("PT0.025S");
                    queue.publish("t", "k", "m".getBytes(StandardCharsets.UTF_8));
                    assertThat(queue.awaitProcessed(AWAIT)).isTrue();
                    assertThat(attempts.get()).as("denormq.retry.max-attempts").isEqualTo(2);
                    assertThat(queue.deadLetters()).hasSize(1);
                });
    }

    @Test
    void shouldObservePublishingWithTheAppsObservationRegistryUnlessSwitchedOff() {
        List<String> started = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStart(Observation.Context context) {
                started.add(context.getName());
            }
        });
        ApplicationContextRunner withRegistry = runner.withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("denormq.journal-dir=" + journalDir);
        withRegistry.run(context -> {
            context.getBean(DenormQueue.class).publish("t", "k", "observed".getBytes(StandardCharsets.UTF_8));
            assertThat(started).contains(io.denormq.observation.DenormqObservation.PUBLISH);
        });
        started.clear();
        withRegistry.withPropertyValues("denormq.observation.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DenormQueue.class)
                    .doesNotHaveBean("denormqObservationCustomizer");
            context.getBean(DenormQueue.class).publish("t", "k", "unobserved".getBytes(StandardCharsets.UTF_8));
            assertThat(started).isEmpty();
        });
    }

    @Test
    void shouldBackOffWhenDisabledOrWhenTheAppDefinesItsOwnQueue() {
        runner.withPropertyValues("denormq.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DenormQueue.class));
        runner.withPropertyValues("denormq.journal-dir=" + journalDir.resolve("unused"))
                .withBean("myQueue", DenormQueue.class, () -> DenormQueue.builder(journalDir).build())
                .run(context -> {
                    assertThat(context).hasSingleBean(DenormQueue.class).hasBean("myQueue");
                    assertThat(journalDir.resolve("unused")).doesNotExist();
                });
    }

    @Test
    void shouldMakeTheDefaultCodecFromBootsObjectMapperUnlessTheAppDefinesOne() {
        record Placed(long id, String customer) {
        }
        List<Placed> received = new CopyOnWriteArrayList<>();
        ApplicationContextRunner withJackson = runner
                .withConfiguration(AutoConfigurations.of(
                        org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration.class))
                .withPropertyValues("denormq.journal-dir=" + journalDir)
                .withBean("placed", MessageHandler.class, () -> message -> received.add(message.payload(Placed.class)));
        withJackson.run(context -> {
            assertThat(context).hasSingleBean(io.denormq.PayloadCodec.class);
            assertThat(context.getBean(io.denormq.PayloadCodec.class)).isInstanceOf(io.denormq.json.Jackson2Codec.class);
            DenormQueue queue = context.getBean(DenormQueue.class);
            queue.publish("t", "c-1", new Placed(1, "c-1"));
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            assertThat(received).containsExactly(new Placed(1, "c-1"));
        });

        AtomicInteger encoded = new AtomicInteger();
        io.denormq.json.Jackson2Codec json = io.denormq.json.Jackson2Codec.create();
        io.denormq.PayloadCodec own = new io.denormq.PayloadCodec() {
            @Override
            public byte[] encode(Object value) {
                encoded.incrementAndGet();
                return json.encode(value);
            }

            @Override
            public <T> T decode(byte[] bytes, int offset, int length, Class<T> type) {
                return json.decode(bytes, offset, length, type);
            }
        };
        withJackson.withBean("ownCodec", io.denormq.PayloadCodec.class, () -> own).run(context -> {
            assertThat(context).hasSingleBean(io.denormq.PayloadCodec.class).hasBean("ownCodec");
            DenormQueue queue = context.getBean(DenormQueue.class);
            queue.publish("t", "c-2", new Placed(2, "c-2"));
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            assertThat(encoded.get()).as("the application's codec encoded it").isEqualTo(1);
        });

        // no mapper bean: no default codec, and the typed calls say what to set (byte arrays still work)
        runner.withPropertyValues("denormq.journal-dir=" + journalDir).run(context -> {
            assertThat(context).doesNotHaveBean(io.denormq.PayloadCodec.class);
            DenormQueue queue = context.getBean(DenormQueue.class);
            assertThatThrownBy(() -> queue.publish("t", "k", new Placed(3, "c-3")))
                    .isInstanceOf(io.denormq.ConfigurationException.class).hasMessageContaining("codec");
            queue.publish("t", "k", "bytes".getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void shouldRefuseTwoHandlerBeansWithTheSameName() {
        runner.withPropertyValues("denormq.journal-dir=" + journalDir)
                .withUserConfiguration(ClashingHandlers.class)
                .run(context -> assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("'first'").hasMessageContaining("'second'")
                        .hasMessageContaining("'totals'"));
    }

    @Test
    void shouldReportALaggingHandlerAsDown() {
        CountDownLatch unblock = new CountDownLatch(1);
        runner.withPropertyValues("denormq.journal-dir=" + journalDir, "denormq.health.max-lag=20ms",
                        "denormq.shutdown-timeout=1s")
                .withBean("stuck", MessageHandler.class, () -> message -> unblock.await())
                .run(context -> {
                    DenormQueue queue = context.getBean(DenormQueue.class);
                    DenormqHealthIndicator indicator = context.getBean(DenormqHealthIndicator.class);
                    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                    queue.publish("t", "k", "m".getBytes(StandardCharsets.UTF_8));
                    long deadline = System.nanoTime() + AWAIT.toNanos();
                    while (queue.stats().maxLagMillis() <= 20 && System.nanoTime() < deadline) {
                        TimeUnit.MILLISECONDS.sleep(5);
                    }
                    Health health = indicator.health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails().get("handlers").toString()).contains("stuck").contains("LAGGING");
                    unblock.countDown();
                    assertThat(queue.awaitProcessed(AWAIT)).isTrue();
                    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                });
    }

    /** A Boot application as a user writes it: auto-configuration, a service, two handler beans. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OrdersApplication {
        @Bean
        OrderService orderService(JdbcTemplate jdbc, org.springframework.beans.factory.ObjectProvider<DenormQueue> queue) {
            return new OrderService(jdbc, queue);
        }

        @Bean
        MessageHandler auditLog() {
            return message -> DELIVERED.add("auditLog:" + message.payload(Codecs.utf8()));
        }

        @Bean
        @DenormqHandler("order-totals")
        MessageHandler totals() {
            return message -> DELIVERED.add("order-totals:" + message.payload(Codecs.utf8()));
        }
    }

    /** Publishes from a {@code @Transactional} method, as application code does. */
    @Service
    static class OrderService {
        private final JdbcTemplate jdbc;
        private final org.springframework.beans.factory.ObjectProvider<DenormQueue> queue;

        OrderService(JdbcTemplate jdbc, org.springframework.beans.factory.ObjectProvider<DenormQueue> queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        void createTable() {
            jdbc.execute("create table if not exists orders(id bigint primary key)");
        }

        @Transactional
        public void place(long id, boolean reject) {
            jdbc.update("insert into orders values (?)", id);
            queue.getObject().publish("order-placed", "customer-1", Long.toString(id), Codecs.utf8());
            if (reject) {
                throw new IllegalArgumentException("order " + id + " rejected");
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClashingHandlers {
        @Bean
        @DenormqHandler("totals")
        MessageHandler first() {
            return message -> { };
        }

        @Bean
        @DenormqHandler("totals")
        MessageHandler second() {
            return message -> { };
        }
    }
}
