package io.denormq.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.denormq.DenormQueue;
import io.denormq.HandlerStats;
import io.denormq.QueueStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes a queue's {@link DenormQueue#stats()} to Micrometer (an optional dependency), with
 * conventional names; each handler (partition) is a {@code handler} tag:
 * <ul>
 *   <li>{@code denormq.handler.lag} — messages released to the handler and not yet processed (gauge);</li>
 *   <li>{@code denormq.handler.lag.time} — age of the oldest of them (time gauge): what to alert on;</li>
 *   <li>{@code denormq.handler.halted} — 1 while a failure keeps the handler halted (it processes
 *       nothing until the application restarts; {@link DenormQueue#stats()} says why), else 0 (gauge):
 *       alert on it;</li>
 *   <li>{@code denormq.handler.processed}, {@code denormq.handler.retries},
 *       {@code denormq.handler.dead.letters} — counters since start;</li>
 *   <li>{@code denormq.journal.usable}, {@code denormq.journal.reserved} — free space of the journal's
 *       file system and the reserve for completion records, in bytes; {@code denormq.journal.full} — 1
 *       while new batches are refused for want of space (gauges);</li>
 *   <li>{@code denormq.batches.unresolved} — transactions journaled whose outcome is pending (gauge);</li>
 *   <li>{@code denormq.errors} — background failures since start (counter).</li>
 * </ul>
 * Every meter also has a {@code journal} tag (the journal directory). Reading a meter costs one
 * {@code stats()} call: counters the dispatch threads keep anyway, no I/O.
 *
 * <pre>{@code
 * new DenormqMetrics(queue).bindTo(meterRegistry);
 * }</pre>
 */
public final class DenormqMetrics implements MeterBinder {
    private final DenormQueue queue;

    /**
     * @param queue the queue to publish; its handlers are those registered when the binder binds
     */
    public DenormqMetrics(DenormQueue queue) {
        this.queue = queue;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String journal = queue.journalDirectory().toString();
        for (HandlerStats handler : queue.stats().handlers()) {
            String name = handler.name();
            Gauge.builder("denormq.handler.lag", queue, q -> of(q, name, HandlerStats::lagMessages))
                    .description("messages in the handler's ring, not yet processed (at most the ring size)")
                    .baseUnit("messages").tags("journal", journal, "handler", name).register(registry);
            TimeGauge.builder("denormq.handler.lag.time", queue, TimeUnit.MILLISECONDS,
                            q -> of(q, name, HandlerStats::lagMillis))
                    .description("age of the oldest message the handler has not processed: alert on this")
                    .tags("journal", journal, "handler", name).register(registry);
            Gauge.builder("denormq.handler.unread.records", queue, q -> of(q, name, HandlerStats::unreadRecords))
                    .description("journal records the handler's reader has not read yet: the backlog beyond its ring")
                    .baseUnit("records").tags("journal", journal, "handler", name).register(registry);
            Gauge.builder("denormq.handler.unacknowledged", queue, q -> of(q, name, HandlerStats::unacknowledged))
                    .description("messages delivered to an asynchronous handler and not acknowledged yet (0 for a plain handler)")
                    .baseUnit("messages").tags("journal", journal, "handler", name).register(registry);
            Gauge.builder("denormq.handler.halted", queue, q -> of(q, name, stats -> stats.halted() ? 1 : 0))
                    .description("1 while a failure keeps the handler halted until a restart (stats() says why), else 0")
                    .tags("journal", journal, "handler", name).register(registry);
            counter(registry, "denormq.handler.processed", "messages the handler finished (dead letters included)",
                    journal, name, HandlerStats::processed);
            counter(registry, "denormq.handler.retries", "failed attempts that were retried", journal, name,
                    HandlerStats::retries);
            counter(registry, "denormq.handler.dead.letters", "messages the handler gave up on", journal, name,
                    HandlerStats::deadLetters);
        }
        Gauge.builder("denormq.batches.unresolved", queue, q -> q.stats().unresolvedBatches())
                .description("transactions journaled before their commit whose outcome is pending")
                .tags("journal", journal).register(registry);
        Gauge.builder("denormq.journal.usable", queue, q -> q.stats().journalUsableBytes())
                .description("usable space of the journal's file system (-1 if unknown)")
                .baseUnit("bytes").tags("journal", journal).register(registry);
        Gauge.builder("denormq.journal.reserved", queue, q -> q.stats().journalReservedBytes())
                .description("space kept for release/rollback records and dead letters, which new batches cannot use")
                .baseUnit("bytes").tags("journal", journal).register(registry);
        Gauge.builder("denormq.journal.full", queue, q -> q.stats().journalFull() ? 1 : 0)
                .description("1 while new batches are refused for want of space (their transactions roll back), else 0")
                .tags("journal", journal).register(registry);
        FunctionCounter.builder("denormq.errors", queue, q -> q.stats().backgroundErrors())
                .description("failures of the dispatch threads (each one was logged)")
                .tags("journal", journal).register(registry);
    }

    private void counter(MeterRegistry registry, String meter, String description, String journal, String handler,
                         ToDoubleFunction<HandlerStats> value) {
        FunctionCounter.builder(meter, queue, q -> of(q, handler, value))
                .description(description).tags("journal", journal, "handler", handler).register(registry);
    }

    private static double of(DenormQueue queue, String handler, ToDoubleFunction<HandlerStats> value) {
        QueueStats stats = queue.stats();
        for (HandlerStats candidate : stats.handlers()) {
            if (candidate.name().equals(handler)) {
                return value.applyAsDouble(candidate);
            }
        }
        return Double.NaN;
    }
}
