package io.denormq.tx.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.denormq.DenormQueue;
import io.denormq.HandlerStats;
import io.denormq.QueueStats;

/**
 * The queue's health, computed once from {@link DenormQueue#stats()} (no journal I/O) for both
 * generations of Spring Boot's health API: {@link DenormqHealthIndicator} (Boot 3,
 * {@code org.springframework.boot.actuate.health}) and {@link DenormqBoot4HealthIndicator} (Boot 4,
 * {@code org.springframework.boot.health.contributor}) only copy it into their own {@code Health}
 * type, so both report the same status and the same details.
 *
 * @param up      false when the queue is closed, a handler's thread stopped, a handler is halted or
 *                lags beyond the threshold, or the journal is full or short of space
 * @param details the details, in the order they are shown
 */
record DenormqHealthReport(boolean up, Map<String, Object> details) {

    /**
     * @param queue  the queue to report on
     * @param maxLag the lag beyond which the queue is DOWN
     * @return the report
     */
    static DenormqHealthReport of(DenormQueue queue, Duration maxLag) {
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
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("journal", stats.journalDirectory());
        details.put("closed", queue.isClosed());
        details.put("maxLagMillis", maxLag.toMillis());
        details.put("unresolvedBatches", stats.unresolvedBatches());
        details.put("backgroundErrors", stats.backgroundErrors());
        details.put("journalUsableBytes", stats.journalUsableBytes());
        details.put("journalReservedBytes", stats.journalReservedBytes());
        details.put("journalFull", stats.journalFull());
        details.put("journalSpaceLow", stats.journalSpaceLow());
        details.put("handlers", handlers);
        if (!halted.isEmpty()) {
            details.put("haltedHandlers", halted);
        }
        return new DenormqHealthReport(!down, details);
    }
}
