package io.denormq.tx.spring.boot;

import java.time.Duration;

import io.denormq.DenormQueue;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports the queue under {@code denormq} in Actuator's health endpoint on Spring Boot 4, whose
 * health API is {@code org.springframework.boot.health.contributor} (artifact
 * {@code spring-boot-health}): the same status and details as {@link DenormqHealthIndicator}, Spring
 * Boot 3's, computed from {@link DenormQueue#stats()} without journal I/O. DOWN when the queue is
 * closed, a handler's thread stopped, a failure halted a handler, a handler's oldest unprocessed
 * message is older than {@code denormq.health.max-lag}, or the journal is full or short of space;
 * UP otherwise. The details name each handler with its status (OK, LAGGING, HALTED or STOPPED),
 * cursor, lags, retries and dead letters, and {@code haltedHandlers} says why a halted one halted.
 *
 * <p>This class links only against {@code spring-boot-health} 4.x: the auto-configuration creates it
 * only when that API is on the classpath, so a Spring Boot 3 application never loads it.
 */
public class DenormqBoot4HealthIndicator extends AbstractHealthIndicator {
    private final DenormQueue queue;
    private final Duration maxLag;

    /**
     * @param queue  the queue to report on
     * @param maxLag the lag beyond which the queue is DOWN
     */
    public DenormqBoot4HealthIndicator(DenormQueue queue, Duration maxLag) {
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
