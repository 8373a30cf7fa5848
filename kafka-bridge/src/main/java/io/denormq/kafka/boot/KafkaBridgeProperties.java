package io.denormq.kafka.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.denormq.kafka.KafkaBridgeBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code denormq.kafka.*} properties. Setting {@code denormq.kafka.bootstrap-servers} turns the
 * bridge on; every other property has the same default as {@link KafkaBridgeBuilder}.
 *
 * <pre>
 * denormq.kafka.bootstrap-servers=kafka-1:9092,kafka-2:9092
 * denormq.kafka.topics.order-placed=orders          # denormq topic = Kafka topic
 * denormq.kafka.default-topic=denormq-events        # optional: every other denormq topic
 * denormq.kafka.source=orders-1                     # optional: default &lt;journal id&gt;/&lt;handler name&gt;
 * denormq.kafka.producer.compression.type=lz4       # any producer setting the bridge allows
 * </pre>
 */
@ConfigurationProperties(prefix = "denormq.kafka")
public class KafkaBridgeProperties {
    /** The Kafka brokers to connect to first, host:port[,host:port...]. Setting it turns the bridge on. */
    private String bootstrapServers;
    /** The bridge's handler name in the queue, which names its durable cursor: keep it across releases. */
    private String handlerName = "kafka";
    /** denormq topic to Kafka topic. Use brackets for keys with dots or capitals: topics[Order.Placed]=orders. */
    private Map<String, String> topics = new LinkedHashMap<>();
    /** Where messages of every other denormq topic go; without it they are not forwarded. */
    private String defaultTopic;
    /** The denormq-source header: unique per bridge writing to the same Kafka topics, stable across restarts. Default the journal's identity and the handler name. */
    private String source;
    /** Extra Kafka producer settings (compression.type, linger.ms, security); ones that contradict the bridge's guarantees are refused. */
    private Map<String, String> producer = new LinkedHashMap<>();
    /** Records sent and not yet acknowledged, at most. */
    private int maxInFlightRecords = KafkaBridgeBuilder.DEFAULT_MAX_IN_FLIGHT_RECORDS;
    /** Bytes of records sent and not yet acknowledged, at most. */
    private DataSize maxInFlightBytes = DataSize.ofBytes(KafkaBridgeBuilder.DEFAULT_MAX_IN_FLIGHT_BYTES);
    private final Backoff backoff = new Backoff();

    /** @return the bootstrap servers, null if not set */
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    /** @param bootstrapServers the bootstrap servers */
    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** @return the handler name */
    public String getHandlerName() {
        return handlerName;
    }

    /** @param handlerName the handler name */
    public void setHandlerName(String handlerName) {
        this.handlerName = handlerName;
    }

    /** @return denormq topic to Kafka topic */
    public Map<String, String> getTopics() {
        return topics;
    }

    /** @param topics denormq topic to Kafka topic */
    public void setTopics(Map<String, String> topics) {
        this.topics = topics;
    }

    /** @return the default Kafka topic, null if none */
    public String getDefaultTopic() {
        return defaultTopic;
    }

    /** @param defaultTopic the default Kafka topic */
    public void setDefaultTopic(String defaultTopic) {
        this.defaultTopic = defaultTopic;
    }

    /** @return the source, null for the default (the journal's identity and the handler name) */
    public String getSource() {
        return source;
    }

    /** @param source the source */
    public void setSource(String source) {
        this.source = source;
    }

    /** @return extra producer settings */
    public Map<String, String> getProducer() {
        return producer;
    }

    /** @param producer extra producer settings */
    public void setProducer(Map<String, String> producer) {
        this.producer = producer;
    }

    /** @return the in-flight record cap */
    public int getMaxInFlightRecords() {
        return maxInFlightRecords;
    }

    /** @param maxInFlightRecords the in-flight record cap */
    public void setMaxInFlightRecords(int maxInFlightRecords) {
        this.maxInFlightRecords = maxInFlightRecords;
    }

    /** @return the in-flight byte cap */
    public DataSize getMaxInFlightBytes() {
        return maxInFlightBytes;
    }

    /** @param maxInFlightBytes the in-flight byte cap */
    public void setMaxInFlightBytes(DataSize maxInFlightBytes) {
        this.maxInFlightBytes = maxInFlightBytes;
    }

    /** @return the re-send backoff */
    public Backoff getBackoff() {
        return backoff;
    }

    /** How long the bridge waits before re-sending after a failed send. */
    public static class Backoff {
        /** The first wait. */
        private Duration initial = KafkaBridgeBuilder.DEFAULT_INITIAL_BACKOFF;
        /** The longest wait; the wait doubles up to it. */
        private Duration max = KafkaBridgeBuilder.DEFAULT_MAX_BACKOFF;

        /** @return the first wait */
        public Duration getInitial() {
            return initial;
        }

        /** @param initial the first wait */
        public void setInitial(Duration initial) {
            this.initial = initial;
        }

        /** @return the longest wait */
        public Duration getMax() {
            return max;
        }

        /** @param max the longest wait */
        public void setMax(Duration max) {
            this.max = max;
        }
    }
}
