package io.denormq.tx.spring.events;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an event type whose instances, published with Spring's
 * {@code ApplicationEventPublisher.publishEvent(event)}, are also published to the denormq queue
 * under {@link #topic()}, exactly as {@code queue.publish(topic, key, event)} would: inside a
 * transaction the event joins the transaction's batch and is delivered after the commit (never if it
 * rolls back); outside one it is journaled and released at once. The key is the value of the one
 * member marked {@link DenormqKey}, or none.
 *
 * <pre>{@code
 * @DenormqEvent(topic = "order-placed")
 * record OrderPlaced(long orderId, @DenormqKey String customer, long totalCents) { }
 * }</pre>
 *
 * <p>Found on the event's class, its superclasses and interfaces, or as a meta-annotation (Spring's
 * merged-annotation rules), so one annotated interface can mark a family of events. Spring's own
 * listeners still receive the event: denormq is one more listener ({@link DenormqEventForwarder}).
 * The event must not extend {@code ApplicationEvent} (its source cannot be journaled): publish a plain
 * object, as Spring Modulith's events are.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DenormqEvent {
    /**
     * @return the topic the events are published under, 1 to 1024 UTF-8 bytes; a blank topic fails the
     *         first publish of the type with a {@link io.denormq.ConfigurationException} naming it
     */
    String topic();
}
