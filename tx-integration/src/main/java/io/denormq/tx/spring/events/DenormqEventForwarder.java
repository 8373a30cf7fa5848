package io.denormq.tx.spring.events;

import java.util.Objects;
import java.util.function.Supplier;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.ResolvableType;

/**
 * The Spring application listener that publishes every event of a {@link DenormqEvent} type to the
 * queue, so that {@code ApplicationEventPublisher.publishEvent(new OrderPlaced(...))} is all the
 * publishing code an application writes. Spring Boot registers it (see
 * {@code DenormqEventsAutoConfiguration}); a plain Spring application declares it as a bean.
 *
 * <p><b>Guarantees.</b> Each marked event is published exactly as
 * {@link DenormQueue#publish(String, String, Object) queue.publish(topic, key, event)} would publish
 * it, on the publishing thread: inside a transaction it joins the transaction's batch, encoded by the
 * queue's codec, and is delivered after the commit or discarded with a rollback; outside one it is
 * journaled and released at once. Its exceptions ({@code InvalidMessageException},
 * {@code QueueClosedException}, {@code ConfigurationException} for a misconfigured type or a queue
 * without a codec) reach the caller of {@code publishEvent}, and roll back a transaction that lets them
 * through. Even when the application's event multicaster has an executor, this listener runs on the
 * publishing thread ({@link #supportsAsyncExecution()}), inside the publisher's transaction.
 *
 * <p>Events of other types are not this listener's: Spring does not call it for them (its event-type
 * check is cached by Spring per event type). Marked events still reach every other listener, such as
 * {@code @EventListener} and {@code @TransactionalEventListener} methods: denormq is one more listener,
 * not a replacement of Spring's delivery.
 *
 * <p><b>Cost.</b> One lookup of the event's class (its annotations are read once per class), reading
 * the key, then what {@code publish} with the queue's codec costs.
 */
public final class DenormqEventForwarder implements GenericApplicationListener {
    private final Supplier<? extends DenormQueue> queueSource;
    private final EventTypes types = new EventTypes();
    private volatile DenormQueue queue;

    /**
     * @param queue supplies the queue on the first marked event, not before: handler beans cannot
     *              depend on the queue, and this listener is created with the other listeners, before
     *              it (in Spring, pass {@code objectProvider::getObject})
     */
    public DenormqEventForwarder(Supplier<? extends DenormQueue> queue) {
        this.queueSource = Objects.requireNonNull(queue, "queue");
    }

    /**
     * @param eventType the type Spring is about to multicast: for an object published with
     *                  {@code publishEvent(Object)}, {@code PayloadApplicationEvent<ObjectClass>}
     * @return whether its payload's (or, for an {@code ApplicationEvent}, its own) class is marked
     *         {@link DenormqEvent}; true when the payload's class is not known yet, to decide per event
     */
    @Override
    public boolean supportsEventType(ResolvableType eventType) {
        Class<?> raw = eventType.toClass();
        if (PayloadApplicationEvent.class.isAssignableFrom(raw)) {
            Class<?> payload = eventType.as(PayloadApplicationEvent.class).getGeneric().resolve();
            return payload == null || types.isMarked(payload);
        }
        // an ApplicationEvent marked @DenormqEvent is a mistake that onApplicationEvent reports
        return types.isMarked(raw);
    }

    /**
     * Publishes the event to the queue if its class is marked {@link DenormqEvent}.
     *
     * @param event the event Spring multicasts
     * @throws ConfigurationException if the event's class is marked but cannot be published as marked
     *                                (no topic, two keys, a key of an unusable type, an {@code ApplicationEvent}),
     *                                the message naming the class; or if the queue has no codec
     */
    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        Object value = event instanceof PayloadApplicationEvent<?> payload ? payload.getPayload() : event;
        EventType type = types.find(value.getClass());
        if (type != null) {
            queue().publish(type.topic(), type.key(value), value);
        }
    }

    /**
     * @return false: the event must be published on the publisher's thread, inside its transaction, even
     *         when the application's multicaster runs listeners on an executor
     */
    @Override
    public boolean supportsAsyncExecution() {
        return false;
    }

    private DenormQueue queue() {
        DenormQueue resolved = queue;
        if (resolved == null) {
            resolved = queueSource.get();
            if (resolved == null) {
                throw new ConfigurationException("No DenormQueue to publish @DenormqEvent events to: the supplier "
                        + "given to DenormqEventForwarder returned null");
            }
            queue = resolved;
        }
        return resolved;
    }

    @Override
    public String toString() {
        return "DenormqEventForwarder[" + queueSource + "]";
    }
}
