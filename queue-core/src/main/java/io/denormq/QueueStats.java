package io.denormq;

import java.util.List;

/**
 * A snapshot of a queue's health, cheap enough to read on every scrape of a health check or metrics
 * endpoint: no journal I/O, only counters the dispatch threads already keep.
 *
 * @param journalDirectory the queue's journal directory
 * @param unresolvedBatches transactions journaled before commit whose outcome is not yet known
 * @param backgroundErrors  failures of the dispatch threads since start (each one was logged)
 * @param handlers          one entry per registered handler, in registration order
 */
public record QueueStats(String journalDirectory, int unresolvedBatches, long backgroundErrors,
                         List<HandlerStats> handlers) {
    /**
     * @param journalDirectory the journal directory
     * @param unresolvedBatches transactions awaiting their outcome
     * @param backgroundErrors dispatch failures since start
     * @param handlers per-handler progress
     */
    public QueueStats {
        handlers = List.copyOf(handlers);
    }

    /**
     * @return the handlers (partitions) a failure halted: each processes nothing more until the
     *         application restarts (see {@link HandlerStats.State#HALTED}); empty when all is well
     */
    public List<HandlerStats> haltedHandlers() {
        return handlers.stream().filter(HandlerStats::halted).toList();
    }

    /** @return the largest {@link HandlerStats#lagMessages()} of all handlers, 0 without handlers */
    public long maxLagMessages() {
        return handlers.stream().mapToLong(HandlerStats::lagMessages).max().orElse(0);
    }

    /** @return the largest {@link HandlerStats#lagMillis()} of all handlers, 0 without handlers */
    public long maxLagMillis() {
        return handlers.stream().mapToLong(HandlerStats::lagMillis).max().orElse(0);
    }
}
