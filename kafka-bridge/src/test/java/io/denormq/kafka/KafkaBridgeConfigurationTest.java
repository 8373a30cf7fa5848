package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.denormq.ConfigurationException;
import org.junit.jupiter.api.Test;

/** Every setting the bridge cannot honour is refused in build(), with a message naming it and saying why. */
class KafkaBridgeConfigurationTest {
    private static KafkaBridgeBuilder valid() {
        return KafkaBridge.builder().bootstrapServers("127.0.0.1:9").topic("order-placed", "orders");
    }

    @Test
    void shouldBuildWithTheRequiredSettingsOnly() {
        try (KafkaBridge bridge = valid().build()) {
            assertThat(bridge.source()).isNull(); // derived from the journal's identity when the queue starts
            assertThat(bridge.stats().inFlightRecords()).isZero();
        }
    }

    @Test
    void shouldRequireBootstrapServersAndATopicMapping() {
        assertRefused(b -> KafkaBridge.builder().topic("a", "b"), "bootstrapServers: must be set");
        assertRefused(b -> KafkaBridge.builder().bootstrapServers(" ").topic("a", "b"), "bootstrapServers: must be set");
        assertRefused(b -> KafkaBridge.builder().bootstrapServers("h:1"), "no Kafka topic is configured");
    }

    @Test
    void shouldRefuseTopicMappingsKafkaWouldRefuse() {
        assertRefused(b -> b.topic("a", "orders!"), "'orders!', which is not a valid Kafka topic name");
        assertRefused(b -> b.defaultTopic(".."), "defaultTopic: '..', which is not a valid Kafka topic name");
        assertRefused(b -> b.topic("", "x"), "a denormq topic must not be null or empty");
        assertRefused(b -> b.topicMapping(t -> t), "set either a mapping function or topic(..)/defaultTopic(..)");
        assertThatThrownBy(() -> valid().topic("order-placed", "other"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'order-placed' is mapped twice");
    }

    @Test
    void shouldRefuseProducerSettingsThatContradictTheGuarantees() {
        assertRefused(b -> b.producerProperty("acks", "1"), "acks=1 is not allowed: the cursor may move only past records "
                + "every in-sync replica has");
        assertRefused(b -> b.producerProperty("enable.idempotence", false), "enable.idempotence=false is not allowed");
        assertRefused(b -> b.producerProperty("max.in.flight.requests.per.connection", 6),
                "max.in.flight.requests.per.connection=6 is not allowed");
        assertRefused(b -> b.producerProperty("retries", 3), "retries=3 is not allowed");
        assertRefused(b -> b.producerProperty("transactional.id", "tx"), "transactional.id=tx is not allowed");
        assertRefused(b -> b.producerProperty("value.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
                "value.serializer=org.apache.kafka.common.serialization.StringSerializer is not allowed");
        assertRefused(b -> b.producerProperty("partitioner.ignore.keys", "true"), "per-key order");
        assertRefused(b -> b.producerProperty("bootstrap.servers", "h:2"), "set it with bootstrapServers(..)");
        assertRefused(b -> b.producerProperty("linger.ms", "soon"), "producerProperty: Invalid value soon for configuration linger.ms");
        assertRefused(b -> b.producerProperty("linger.ms", null), "name and value must not be null");
    }

    @Test
    void shouldAcceptProducerSettingsThatAgreeWithTheGuarantees() {
        try (KafkaBridge bridge = valid().producerProperties(Map.of("acks", "-1", "enable.idempotence", "true",
                "max.in.flight.requests.per.connection", "1", "compression.type", "lz4", "linger.ms", 0)).build()) {
            assertThat(bridge).isNotNull();
        }
    }

    @Test
    void shouldRefuseCapsSourcesAndBackoffsOutOfRange() {
        assertRefused(b -> b.maxInFlightRecords(0), "maxInFlightRecords: must be at least 1, was 0");
        assertRefused(b -> b.maxInFlightBytes(0), "maxInFlightBytes: must be at least 1, was 0");
        assertRefused(b -> b.source(" "), "source: must be 1 to 255 UTF-8 bytes and not blank");
        assertRefused(b -> b.source("x".repeat(256)), "(256 bytes)");
        assertRefused(b -> b.backoff(Duration.ZERO, Duration.ofSeconds(1)), "backoff: initial must be positive");
        assertRefused(b -> b.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "max at least initial");
    }

    private static void assertRefused(UnaryOperator<KafkaBridgeBuilder> setting, String message) {
        assertThatThrownBy(() -> setting.apply(valid()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(message);
    }
}
