/**
 * Publishing with Spring's {@code ApplicationEventPublisher}: event types marked
 * {@link io.denormq.tx.spring.events.DenormqEvent} (their key marked
 * {@link io.denormq.tx.spring.events.DenormqKey}) are published to the queue by
 * {@link io.denormq.tx.spring.events.DenormqEventForwarder}, inside the publisher's transaction, so
 * that an application moving from Spring Modulith's event publication registry keeps its publishing
 * code. Spring Boot registers the forwarder when there is a queue bean.
 */
package io.denormq.tx.spring.events;
