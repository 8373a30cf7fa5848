package io.denormq.tx.spring.boot;

import java.time.Duration;

import io.denormq.DenormQueue;
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
 *
 * <p>This is the indicator of Spring Boot 3's health API ({@code org.springframework.boot.actuate.health});
 * on Spring Boot 4 the auto-configuration registers {@link DenormqBoot4HealthIndicator}, which
 * reports the same status and details through Boot 4's API.
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
        DenormqHealthReport report = DenormqHealthReport.of(queue, maxLag);
        builder.status(report.up() ? "UP" : "DOWN").withDetails(report.details());
    }
}
