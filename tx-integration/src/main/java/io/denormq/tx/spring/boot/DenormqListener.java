package io.denormq.tx.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean a denormq handler: the Spring Boot auto-configuration registers
 * it with the queue under {@link #name()}, and calls it with the messages of {@link #topics()}.
 *
 * <pre>{@code
 * @Component
 * class CustomerTotals {
 *     @DenormqListener(name = "customer-totals", topics = "order-placed")
 *     void on(OrderPlaced event) { ... }
 *
 *     @DenormqListener(name = "customer-refunds", topics = "order-refunded", partitions = 4)
 *     void on(OrderRefunded event, Message message) { ... }
 * }
 * }</pre>
 *
 * <p><b>Parameters.</b> One or two: the first is what the method is given of the message, an
 * optional second of type {@link io.denormq.Message} is the message itself (its key, sequence, id;
 * valid only until the method returns, as for any handler).
 * <ul>
 * <li>an event type ({@code OrderPlaced}, any non-generic class): the payload decoded by the
 *     queue's codec ({@link io.denormq.Message#payload(Class)}), the counterpart of
 *     {@link io.denormq.DenormQueue#publish(String, String, Object)};</li>
 * <li>{@code byte[]}: the payload's bytes, as published (a copy), without a codec;</li>
 * <li>{@link io.denormq.Message} alone: the message, undecoded.</li>
 * </ul>
 * The method returns {@code void}; it may throw, and the message is then retried and eventually
 * dead-lettered, as for a {@link io.denormq.MessageHandler}. Several annotated methods on one bean
 * are several handlers, each with its own thread and cursor.
 *
 * <p><b>Guarantees.</b> As for any handler: at-least-once delivery, in release order, after the
 * publishing transaction completed. Messages of other topics never reach the method: they are
 * passed over (and acknowledged) without a call. With {@link #exactlyOnce()}, the method's
 * database effects are applied once (see there).
 *
 * <p><b>Start-up.</b> A misconfigured method — blank name, no topic, a name another handler has, a
 * parameter no codec can produce, a wrong signature — stops the application from starting with an
 * {@link io.denormq.ConfigurationException} naming the bean and the method. Methods are found on the
 * type each bean definition declares (its class, or its {@code @Bean} method's return type) before
 * the beans are created, because the queue needs its handlers to start; the bean itself is looked up
 * once every singleton is created, so a listener bean may inject the {@link io.denormq.DenormQueue}
 * (to publish follow-up messages) and messages that arrive earlier wait for it. The queue is closed
 * before the listener beans are destroyed, so they process what was released until then. Listener
 * beans must be singletons.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DenormqListener {
    /**
     * The handler's name, which keys its durable cursor (and, with {@link #exactlyOnce()}, its applied
     * position). Required, so that renaming or moving a method never makes a new handler that starts
     * at the end of the journal and silently skips what the old one had not processed.
     *
     * @return the handler's name, unique among the application's handlers
     */
    String name();

    /**
     * @return the topics whose messages the method receives; at least one
     */
    String[] topics();

    /**
     * The number of partitions: each runs on its own thread with its own cursor, and all messages of
     * one key go to one partition, in release order. With more than one, the method is called from
     * several threads at once (never for one key at once).
     *
     * @return 1 to {@value io.denormq.DenormQueueBuilder#MAX_PARTITIONS}; default 1
     */
    int partitions() default 1;

    /**
     * Runs the method in a transaction of the application's {@code PlatformTransactionManager}, on its
     * {@code DataSource}, together with the handler's applied position
     * ({@link io.denormq.tx.spring.SpringTransactionalHandler}): a message at or below the applied
     * position — a re-delivery — is skipped, so the method's effects in that database are applied
     * exactly once. The method joins the transaction the usual way ({@code JdbcTemplate}, JPA on the
     * same {@code DataSource}). The applied-position table
     * ({@link io.denormq.tx.applied.AppliedPositionTable#DEFAULT_NAME}) must exist. Side effects
     * outside that database stay at least once. Needs exactly one (or a primary)
     * {@code PlatformTransactionManager} and {@code DataSource} bean, and {@code spring-jdbc}.
     *
     * @return whether the method's effects are applied exactly once; default false
     */
    boolean exactlyOnce() default false;

    /**
     * With {@link #exactlyOnce()}: up to this many consecutive messages share one transaction
     * (committed when full or when the handler caught up). Only valid with {@code exactlyOnce}.
     *
     * @return messages per transaction at most, at least 1; default 1
     */
    int batchSize() default 1;
}
