package io.denormq.benchmarks.modulith;

import org.springframework.modulith.events.ApplicationModuleListener;

/**
 * The Modulith side's handler: an {@code @ApplicationModuleListener} (asynchronous, after commit,
 * in a transaction of its own) that does no work beyond reporting the event to the clock. The
 * registry marks the publication complete when it returns.
 */
public class OrderPlacedListener {
    private volatile DeliveryClock clock = new DeliveryClock();

    /** @param clock where deliveries are reported from now on */
    public void reportTo(DeliveryClock clock) {
        this.clock = clock;
    }

    /** @param event the event, delivered after its transaction committed */
    @ApplicationModuleListener
    public void on(OrderPlaced event) {
        clock.delivered(event.number());
    }
}
