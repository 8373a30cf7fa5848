package io.denormq.tx.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.denormq.DenormQueue;
import io.denormq.HandlerStats;
import io.denormq.QueueStats;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Reports the queue under {@code denormq} in Actuator's health endpoint, from
 * {@link DenormQueue#stats()} (no journal I/O). DOWN when the queue is closed, when a handler's
 * thread has stopped, when a failure halted a handler, or when a handler's oldest unprocessed
 * message is older than {@code denormq.health.max-lag}; UP otherwise. The details show, per handler,
 * its status (OK, LAGGING, HALTED or STOPPED), cursor, lag in messages and milliseconds, retries and
 * dead letters since start, and for a halted handler why it halted and what to do, so that an alert
 * can say which read model is behind or stopped; {@code haltedHandlers} lists the halted ones. Also
 * DOWN when the journal is full (transactions that publish roll back) or its file system's free
 * space is under {@code denormq.low-space-warning}; the details show the free space and the reserve.
 */
public class DenormqHealthIndicator extends AbstractHealthIndicator {
    private final DenormQueue queue;
    private final Duration maxLag;

    /**
     * @param queue  the queue to report on
     * @param maxLag the lag beyond which the queue is DOWN
     */
    public DenormqHealthIndicator(DenormQueue queue, Duration maxLag) {
        super("denormq health check failed");
        this.queue = queue;
        this.maxLag = maxLag;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        QueueStats stats = queue.stats();
        boolean down = queue.isClosed();
        Map<String, Object> handlers = new LinkedHashMap<>();
        Map<String, String> halted = new LinkedHashMap<>();
        for (HandlerStats handler : stats.handlers()) {
            boolean lagging = handler.lagMillis() > maxLag.toMillis();
            down |= lagging || !handler.running();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", handler.halted() ? "HALTED" : !handler.running() ? "STOPPED" : lagging ? "LAGGING" : "OK");
            if (handler.halted()) {
                details.put("haltReason", handler.haltReason());
                halted.put(handler.name(), handler.haltReason());
            }
            details.put("cursor", handler.cursor());
            details.put("lagMessages", handler.lagMessages());
            details.put("lagMillis", handler.lagMillis());
            details.put("unreadRecords", handler.unreadRecords());
            details.put("unacknowledged", handler.unacknowledged());
            details.put("processed", handler.processed());
            details.put("retries", handler.retries());
            details.put("deadLetters", handler.deadLetters());
            handlers.put(handler.name(), details);
        }
        down |= stats.journalFull() || stats.journalSpaceLow();
        builder.status(down ? "DOWN" : "UP")
                .withDetail("journal", stats.journalDirectory())
                .withDetail("closed", queue.isClosed())
                .withDetail("maxLagMillis", maxLag.toMillis())
                .withDetail("unresolvedBatches", stats.unresolvedBatches())
                .withDetail("backgroundErrors", stats.backgroundErrors())
                .withDetail("journalUsableBytes", stats.journalUsableBytes())
                .withDetail("journalReservedBytes", stats.journalReservedBytes())
                .withDetail("journalFull", stats.journalFull())
                .withDetail("journalSpaceLow", stats.journalSpaceLow())
                .withDetail("handlers", handlers);
        if (!halted.isEmpty()) {
            builder.withDetail("haltedHandlers", halted);
        }
    }
}
