package io.denormq.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import io.denormq.ConfigurationException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Configures a {@link KafkaBridge}. Settings are checked once, in {@link #build()}: a bad one throws
 * {@link ConfigurationException} naming it and what is allowed. Not thread-safe.
 *
 * <pre>{@code
 * KafkaBridge bridge = KafkaBridge.builder()
 *         .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *         .topic("order-placed", "orders")        // denormq topic -> Kafka topic
 *         .defaultTopic("denormq-events")          // everything else; without it, unmapped topics are not forwarded
 *         .source("orders-service-1")              // optional: by default derived from the journal's identity
 *         .producerProperty("compression.type", "lz4")
 *         .build();
 * }</pre>
 */
public final class KafkaBridgeBuilder {
    /**
     * Default cap on records sent and not yet acknowledged: 8192, twice the queue's default ring, so
     * that a full dispatch batch is in flight at once. A larger ring's batch waits at the cap for the
     * oldest records instead of holding them all in memory.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT_RECORDS = 8192;
    /**
     * Default cap on the bytes (keys, payloads, headers) of records sent and not yet acknowledged:
     * 16 MiB, half the producer's default {@code buffer.memory}, so that {@code send} does not block
     * on the producer's buffer before the bridge's own cap is reached.
     */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 16L << 20;
    /** Default first wait before re-sending after a failed send: long enough for a leader election to finish. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /**
     * Default longest wait between re-send attempts: 10 s. The producer itself already retries for
     * {@code delivery.timeout.ms} (2 minutes by default) before a send fails, so this only spaces
     * the bridge's own rounds.
     */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    /** The longest source name, in UTF-8 bytes. */
    public static final int MAX_SOURCE_BYTES = 255;
    /**
     * The smallest {@code max.block.ms} allowed: 1 s. Every re-send round starts a new producer, which
     * has no metadata yet: its first send waits for a metadata round trip (connection and request),
     * and failing that wait fails the round. Below one round trip, every round would fail so, forever.
     */
    public static final long MIN_MAX_BLOCK_MS = 1000;
    /** Kafka's rule for topic names, as said in error messages. */
    static final String TOPIC_NAME_RULE = "1 to 249 of a-z A-Z 0-9 . _ -, not '.' or '..'";

    private String bootstrapServers;
    private final Map<String, String> topics = new LinkedHashMap<>();
    private String defaultTopic;
    private Function<String, String> topicMapping;
    private String source;
    private final Map<String, Object> producerProperties = new LinkedHashMap<>();
    private int maxInFlightRecords = DEFAULT_MAX_IN_FLIGHT_RECORDS;
    private long maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;

    KafkaBridgeBuilder() {
    }

    /**
     * @param bootstrapServers the brokers to connect to first, {@code host:port[,host:port...]}; required
     * @return this builder
     */
    public KafkaBridgeBuilder bootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        return this;
    }

    /**
     * Forwards the messages of one denormq topic to one Kafka topic. The Kafka topic must exist
     * (the bridge does not create topics).
     *
     * @param denormqTopic the topic messages are published to in denormq
     * @param kafkaTopic   the Kafka topic their records go to
     * @return this builder
     */
    public KafkaBridgeBuilder topic(String denormqTopic, String kafkaTopic) {
        if (denormqTopic != null && topics.containsKey(denormqTopic)) {
            throw new ConfigurationException("topic: '" + denormqTopic + "' is mapped twice (to '"
                    + topics.get(denormqTopic) + "' and '" + kafkaTopic + "'); map each denormq topic once");
        }
        topics.put(denormqTopic, kafkaTopic);
        return this;
    }

    /**
     * @param kafkaTopic where messages of every denormq topic not given to {@link #topic(String, String)}
     *                   go; without a default they are not forwarded (the bridge passes over them)
     * @return this builder
     */
    public KafkaBridgeBuilder defaultTopic(String kafkaTopic) {
        this.defaultTopic = kafkaTopic;
        return this;
    }

    /**
     * Decides the Kafka topic with a function instead of {@link #topic(String, String)} and
     * {@link #defaultTopic(String)} (use one way or the other). It is called once per denormq topic
     * and its answer is kept, so it must always give the same answer for the same topic.
     *
     * @param mapping denormq topic to Kafka topic, or null for "do not forward"
     * @return this builder
     */
    public KafkaBridgeBuilder topicMapping(Function<String, String> mapping) {
        this.topicMapping = mapping;
        return this;
    }

    /**
     * Names this bridge in the {@value DenormqHeaders#SOURCE} header of its records. Message ids and
     * sequences are unique per journal only, so a consumer that deduplicates (see
     * {@link DenormqRecordDeduplicator}) tells writers apart by source: every queue and every bridge
     * writing to the same Kafka topic needs its own, and it must stay the same across restarts for
     * re-sent records to be recognised.
     *
     * <p>The default is right without setting anything: {@code <journal id>/<handler name>}, where
     * the journal id is the identity the journal keeps in its directory
     * ({@link io.denormq.DenormQueue#journalId()}), so it follows the journal across restarts, hosts
     * and containers. Set a source to have a readable one, or to keep a source across a move to a
     * new journal. Either way a partitioned handler's bridges add {@code #<partition>/<partition count>}.
     * Two open bridges of one process with the same source are refused when their queue starts.
     *
     * @param source 1 to {@value #MAX_SOURCE_BYTES} UTF-8 bytes; default derived from the journal's identity
     * @return this builder
     */
    public KafkaBridgeBuilder source(String source) {
        this.source = source;
        return this;
    }

    /**
     * Adds a Kafka producer setting (compression, batching, timeouts, security). The bridge's
     * guarantees rest on a few of them, which cannot be changed: {@code enable.idempotence=true},
     * {@code acks=all}, {@code max.in.flight.requests.per.connection} at most 5, {@code retries} at
     * its maximum, byte-array serializers, no {@code transactional.id}, keys that decide the
     * partition (Kafka's built-in partitioner: no {@code partitioner.class}, no
     * {@code partitioner.ignore.keys=true}), and a {@code max.block.ms} of at least
     * {@value #MIN_MAX_BLOCK_MS}; {@link #build()} refuses a property that contradicts them.
     *
     * @param name  a producer config name, as in {@link ProducerConfig}
     * @param value its value
     * @return this builder
     */
    public KafkaBridgeBuilder producerProperty(String name, Object value) {
        producerProperties.put(name, value);
        return this;
    }

    /**
     * Adds every entry as a {@link #producerProperty(String, Object) producer property}.
     *
     * @param properties producer settings
     * @return this builder
     */
    public KafkaBridgeBuilder producerProperties(Map<String, ?> properties) {
        properties.forEach(this::producerProperty);
        return this;
    }

    /**
     * @param maxInFlightRecords how many records may be sent and not yet acknowledged; at least 1,
     *                           default {@value #DEFAULT_MAX_IN_FLIGHT_RECORDS}
     * @return this builder
     */
    public KafkaBridgeBuilder maxInFlightRecords(int maxInFlightRecords) {
        this.maxInFlightRecords = maxInFlightRecords;
        return this;
    }

    /**
     * @param maxInFlightBytes how many bytes of records may be sent and not yet acknowledged (a
     *                         single larger record is still sent, alone); at least 1, default 16 MiB
     * @return this builder
     */
    public KafkaBridgeBuilder maxInFlightBytes(long maxInFlightBytes) {
        this.maxInFlightBytes = maxInFlightBytes;
        return this;
    }

    /**
     * How long the bridge waits before re-sending after the producer gave up on a record (the broker
     * stayed unreachable for {@code delivery.timeout.ms}, or refused it): the wait doubles from
     * {@code initial} to {@code max} with each failed round and starts again after a success.
     *
     * @param initial the first wait, positive; default 100 ms
     * @param max     the longest wait, at least {@code initial}; default 10 s
     * @return this builder
     */
    public KafkaBridgeBuilder backoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /**
     * Checks the settings and makes the bridge. The producer is created (and connects) when the
     * first message arrives, on the handler's thread.
     *
     * @return the bridge, to be registered with {@link io.denormq.DenormQueueBuilder#handler(String, io.denormq.MessageHandler)}
     * @throws ConfigurationException if a setting is missing, out of range or contradicts the bridge's guarantees
     */
    public KafkaBridge build() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigurationException("bootstrapServers: must be set to the Kafka brokers to connect to, "
                    + "host:port[,host:port...]; was " + (bootstrapServers == null ? "null" : "blank"));
        }
        if (source != null) {
            int sourceBytes = source.getBytes(StandardCharsets.UTF_8).length;
            if (source.isBlank() || sourceBytes > MAX_SOURCE_BYTES) {
                throw new ConfigurationException("source: must be 1 to " + MAX_SOURCE_BYTES + " UTF-8 bytes and not blank, "
                        + "was '" + source + "' (" + sourceBytes + " bytes); leave it unset for the default, derived "
                        + "from the journal's identity");
            }
        }
        if (maxInFlightRecords < 1) {
            throw new ConfigurationException("maxInFlightRecords: must be at least 1, was " + maxInFlightRecords);
        }
        if (maxInFlightBytes < 1) {
            throw new ConfigurationException("maxInFlightBytes: must be at least 1, was " + maxInFlightBytes);
        }
        if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()
                || maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new ConfigurationException("backoff: initial must be positive and max at least initial, were "
                    + initialBackoff + " and " + maxBackoff);
        }
        Function<String, String> mapping = topicMapping();
        Map<String, Object> config = producerConfig();
        return new KafkaBridge(mapping, source, config, limits(config), maxInFlightRecords, maxInFlightBytes,
                initialBackoff, maxBackoff);
    }

    private Function<String, String> topicMapping() {
        if (topicMapping != null) {
            if (!topics.isEmpty() || defaultTopic != null) {
                throw new ConfigurationException("topicMapping: set either a mapping function or topic(..)/defaultTopic(..), "
                        + "not both (topics " + topics + ", default " + defaultTopic + ")");
            }
            return topicMapping;
        }
        if (topics.isEmpty() && defaultTopic == null) {
            throw new ConfigurationException("topic: no Kafka topic is configured; map denormq topics with "
                    + "topic(denormqTopic, kafkaTopic), defaultTopic(kafkaTopic) or topicMapping(function)");
        }
        for (Map.Entry<String, String> topic : topics.entrySet()) {
            if (topic.getKey() == null || topic.getKey().isEmpty()) {
                throw new ConfigurationException("topic: a denormq topic must not be null or empty");
            }
            checkKafkaTopic("topic: '" + topic.getKey() + "' maps to", topic.getValue());
        }
        if (defaultTopic != null) {
            checkKafkaTopic("defaultTopic:", defaultTopic);
        }
        Map<String, String> mapped = Map.copyOf(topics);
        String otherwise = defaultTopic;
        return denormqTopic -> mapped.getOrDefault(denormqTopic, otherwise);
    }

    /** Kafka's own rule for topic names: checked here, where the mistake is made, not at the first send. */
    private static void checkKafkaTopic(String setting, String name) {
        if (!isValidTopicName(name)) {
            throw new ConfigurationException(setting + " '" + name + "', which is not a valid Kafka topic name "
                    + "(" + TOPIC_NAME_RULE + ")");
        }
    }

    /** @return whether Kafka accepts {@code name} as a topic name */
    static boolean isValidTopicName(String name) {
        return name != null && !name.isEmpty() && name.length() <= 249 && !name.equals(".") && !name.equals("..")
                && name.chars().allMatch(c -> c == '.' || c == '_' || c == '-' || (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        for (Map.Entry<String, Object> property : producerProperties.entrySet()) {
            String name = property.getKey();
            Object value = property.getValue();
            if (name == null || value == null) {
                throw new ConfigurationException("producerProperty: name and value must not be null, were " + name
                        + " = " + value);
            }
            String text = value.toString().trim();
            switch (name) {
                case ProducerConfig.BOOTSTRAP_SERVERS_CONFIG -> refuse(name, text,
                        "set it with bootstrapServers(..) (denormq.kafka.bootstrap-servers)");
                case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG -> requireThat(text.equalsIgnoreCase("true"), name, text,
                        "the bridge needs the idempotent producer: without it the producer's own retries could "
                                + "write a record twice out of order");
                case ProducerConfig.ACKS_CONFIG -> requireThat(text.equalsIgnoreCase("all") || text.equals("-1"), name,
                        text, "the cursor may move only past records every in-sync replica has; use all (or -1)");
                case ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION -> requireThat(inRange(text, 1, 5), name, text,
                        "the idempotent producer keeps order only with 1 to 5 requests in flight per connection");
                case ProducerConfig.RETRIES_CONFIG -> requireThat(text.equals(Integer.toString(Integer.MAX_VALUE)), name,
                        text, "the producer must retry until delivery.timeout.ms; bound the time with "
                                + "delivery.timeout.ms instead");
                case ProducerConfig.TRANSACTIONAL_ID_CONFIG -> refuse(name, text,
                        "the bridge uses the idempotent producer, not Kafka transactions");
                case ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG ->
                        refuse(name, text, "keys are the messages' keys in UTF-8 and values their payloads as published");
                case ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG -> requireThat(text.equalsIgnoreCase("false"), name,
                        text, "per-key order needs every record of a key in one partition");
                case ProducerConfig.PARTITIONER_CLASS_CONFIG -> requireThat(text.isEmpty(), name, text,
                        "per-key order and the deduplication rule need every record of a key in the partition Kafka's "
                                + "built-in partitioner gives its key, on every send and re-send (a partitioner such as "
                                + "RoundRobinPartitioner spreads a key over partitions); leave it unset");
                case ProducerConfig.MAX_BLOCK_MS_CONFIG -> requireThat(atLeast(text, MIN_MAX_BLOCK_MS), name, text,
                        "each re-send round starts a producer without metadata, whose first send waits up to max.block.ms "
                                + "for it: below a metadata round trip every round would fail, for ever; use at least "
                                + MIN_MAX_BLOCK_MS + " (Kafka's default is 60000)");
                default -> {
                }
            }
            config.put(name, value);
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try {
            // Kafka's own type and range checks, now rather than at the first message
            ProducerConfig.configDef().parse(config);
        } catch (ConfigException e) {
            throw new ConfigurationException("producerProperty: " + e.getMessage(), e);
        }
        return Map.copyOf(config);
    }

    /** What the producer checks before sending, for {@link RecordLimits}: read from Kafka's own parse of the settings. */
    private static RecordLimits limits(Map<String, Object> config) {
        Map<String, Object> parsed = ProducerConfig.configDef().parse(config);
        return new RecordLimits((Integer) parsed.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                (Long) parsed.get(ProducerConfig.BUFFER_MEMORY_CONFIG),
                CompressionType.forName((String) parsed.get(ProducerConfig.COMPRESSION_TYPE_CONFIG)));
    }

    private static boolean atLeast(String text, long min) {
        try {
            return Long.parseLong(text) >= min;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean inRange(String text, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            return value >= min && value <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void requireThat(boolean allowed, String name, String value, String why) {
        if (!allowed) {
            refuse(name, value, why);
        }
    }

    private static void refuse(String name, String value, String why) {
        throw new ConfigurationException("producerProperty: " + name + "=" + value + " is not allowed: " + why);
    }
}
