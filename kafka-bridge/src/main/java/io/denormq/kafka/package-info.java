/**
 * Forwards released denormq messages to Kafka.
 *
 * <p>{@link io.denormq.kafka.KafkaBridge} is a {@link io.denormq.MessageHandler}: register it with
 * the queue like any read model. It sends each message with an idempotent producer, pipelined, and
 * lets the queue move its cursor only past records the broker acknowledged, so a crash re-sends
 * and never skips. {@link io.denormq.kafka.DenormqHeaders} names the headers every record carries;
 * {@link io.denormq.kafka.DenormqRecordDeduplicator} is how a consumer drops the re-sent ones.
 */
package io.denormq.kafka;
