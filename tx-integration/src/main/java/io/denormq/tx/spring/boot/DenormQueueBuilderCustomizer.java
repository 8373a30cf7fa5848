package io.denormq.tx.spring.boot;

import io.denormq.DenormQueueBuilder;

/**
 * A bean that adjusts the auto-configured queue's builder after the {@code denormq.*} properties
 * and the handler beans were applied, for what properties cannot express (a custom codec-aware
 * handler, a handler registered under a computed name, ...).
 */
@FunctionalInterface
public interface DenormQueueBuilderCustomizer {
    /**
     * @param builder the builder, already configured from properties and handler beans
     */
    void customize(DenormQueueBuilder builder);
}
