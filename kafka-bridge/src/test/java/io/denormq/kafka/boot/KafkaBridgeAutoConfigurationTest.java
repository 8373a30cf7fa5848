package io.denormq.kafka.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import io.denormq.kafka.DenormqHeaders;
import io.denormq.kafka.KafkaBridge;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.kafka.testing.TopicContents;
import io.denormq.tx.spring.boot.DenormqAutoConfiguration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration in Spring Boot contexts, with denormq's own, against the shared broker. */
@Timeout(120)
class KafkaBridgeAutoConfigurationTest {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaBroker broker;

    private Path dir;
    private String topic;
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KafkaBridgeAutoConfiguration.class, DenormqAutoConfiguration.class));

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("denormq-kafka-boot-");
        topic = "boot-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 2);
    }

    @AfterEach
    void tearDown() {
        KafkaBroker.deleteRecursively(dir);
    }

    @Test
    void shouldRegisterTheBridgeAsHandlerKafkaWhenBootstrapServersAreSet() throws Exception {
        runner.withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"),
                        "denormq.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "denormq.kafka.topics.order-placed=" + topic,
                        "denormq.kafka.source=orders-1",
                        "denormq.kafka.producer.compression.type=lz4",
                        "denormq.kafka.producer.linger.ms=1")
                .run(context -> {
                    assertThat(context).hasSingleBean(KafkaBridge.class);
                    assertThat(context.getBeanNamesForType(KafkaBridge.class)).containsExactly("kafka");
                    DenormQueue queue = context.getBean(DenormQueue.class);
                    assertThat(queue.cursors()).containsOnlyKeys("kafka");
                    queue.publish("order-placed", "customer-42", "250".getBytes(StandardCharsets.UTF_8));
                    queue.publish("not-mapped", "customer-42", "x".getBytes(StandardCharsets.UTF_8));
                    assertThat(queue.awaitProcessed(Duration.ofSeconds(60))).isTrue();
                });
        TopicContents contents = TopicContents.read(broker.bootstrapServers(), topic);
        assertThat(contents.payloads()).containsExactly("250");
        ConsumerRecord<String, byte[]> record = contents.records().get(0);
        assertThat(record.key()).isEqualTo("customer-42");
        assertThat(DenormqHeaders.source(record.headers())).isEqualTo("orders-1");
        assertThat(DenormqHeaders.topic(record.headers())).isEqualTo("order-placed");
    }

    @Test
    void shouldDrainIntoKafkaWhenTheContextClosesBecauseTheQueueClosesBeforeTheBridge() {
        runner.withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"),
                        "denormq.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "denormq.kafka.default-topic=" + topic,
                        "denormq.kafka.handler-name=to-kafka")
                .run(context -> {
                    DenormQueue queue = context.getBean(DenormQueue.class);
                    assertThat(queue.cursors()).containsOnlyKeys("to-kafka");
                    for (int i = 0; i < 200; i++) {
                        queue.publish("anything", "k" + i % 3, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                    }
                }); // closed at once: the queue's close lets the bridge drain, then the bridge closes
        assertThat(TopicContents.read(broker.bootstrapServers(), topic).payloads()).hasSize(200);
    }

    @Test
    void shouldNotRegisterABridgeWithoutBootstrapServers() {
        runner.withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"), "denormq.kafka.default-topic=" + topic)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(KafkaBridge.class);
                    assertThat(context.getBean(DenormQueue.class).cursors()).isEmpty();
                });
    }

    @Test
    void shouldBackOffWhenTheApplicationHasItsOwnBridge() {
        runner.withUserConfiguration(OwnBridge.class)
                .withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"),
                        "denormq.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "denormq.kafka.default-topic=" + topic)
                .run(context -> {
                    assertThat(context.getBeanNamesForType(KafkaBridge.class)).containsExactly("ownBridge");
                    assertThat(context.getBean(DenormQueue.class).cursors()).containsOnlyKeys("ownBridge");
                });
    }

    @Test
    void shouldFailToStartWithAClearMessageWhenASettingContradictsTheGuarantees() {
        runner.withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"),
                        "denormq.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "denormq.kafka.default-topic=" + topic,
                        "denormq.kafka.producer.acks=1")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasRootCauseInstanceOf(ConfigurationException.class)
                        .rootCause().hasMessageContaining("producerProperty: acks=1 is not allowed"));
        runner.withPropertyValues("denormq.journal-dir=" + dir.resolve("journal"),
                        "denormq.kafka.bootstrap-servers=" + broker.bootstrapServers())
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("no Kafka topic is configured"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBridge {
        @Bean(destroyMethod = "close")
        KafkaBridge ownBridge() {
            return KafkaBridge.builder().bootstrapServers(broker.bootstrapServers()).defaultTopic("unused").build();
        }
    }
}
