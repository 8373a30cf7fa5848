/**
 * Spring Boot auto-configuration of the Kafka bridge: with {@code denormq.kafka.bootstrap-servers}
 * set, a {@link io.denormq.kafka.KafkaBridge} bean is registered as a denormq handler (named by
 * {@code denormq.kafka.handler-name}, {@code kafka} by default) alongside the queue that
 * {@code io.denormq:tx-integration}'s auto-configuration creates.
 */
package io.denormq.kafka.boot;
