package io.denormq.kafka.boot;

import io.denormq.kafka.KafkaBridgeBuilder;

/**
 * A bean that adjusts the auto-configured bridge's builder after the {@code denormq.kafka.*}
 * properties were applied, for what properties cannot express (a topic-mapping function, producer
 * settings computed at start such as credentials).
 */
@FunctionalInterface
public interface KafkaBridgeBuilderCustomizer {
    /**
     * @param builder the builder, already configured from properties
     */
    void customize(KafkaBridgeBuilder builder);
}
