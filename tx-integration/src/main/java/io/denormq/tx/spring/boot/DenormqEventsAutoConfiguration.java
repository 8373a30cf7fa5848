package io.denormq.tx.spring.boot;

import io.denormq.DenormQueue;
import io.denormq.tx.spring.events.DenormqEvent;
import io.denormq.tx.spring.events.DenormqEventForwarder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Publishes the application's {@link DenormqEvent} events to the {@link DenormQueue} bean: registers a
 * {@link DenormqEventForwarder}, which Spring calls for every {@code publishEvent} of a marked type.
 * Applies when there is a queue bean (the auto-configured one or the application's own), and backs off
 * when the application defines its own forwarder. With {@code denormq.enabled=false} there is no queue
 * and marked events are ordinary Spring events.
 *
 * <p>The forwarder looks the queue up on the first marked event, not when it is created: listeners are
 * created early, and the queue needs every handler bean before it starts.
 */
@AutoConfiguration(after = DenormqAutoConfiguration.class)
@ConditionalOnClass({DenormQueue.class, GenericApplicationListener.class, TransactionSynchronizationManager.class})
@ConditionalOnBean(DenormQueue.class)
public class DenormqEventsAutoConfiguration {
    /**
     * @param queue the queue, resolved on the first marked event
     * @return the listener that publishes marked events to the queue
     */
    @Bean
    @ConditionalOnMissingBean(DenormqEventForwarder.class)
    public DenormqEventForwarder denormqEventForwarder(ObjectProvider<DenormQueue> queue) {
        return new DenormqEventForwarder(queue::getObject);
    }
}
