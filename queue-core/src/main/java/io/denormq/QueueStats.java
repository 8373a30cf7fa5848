package io.denormq;

import java.util.List;

/**
 * A snapshot of a queue's health, cheap enough to read on every scrape of a health check or metrics
 * endpoint: no journal I/O, only counters the dispatch threads already keep and one statvfs call
 * for the journal's free space.
 *
 * @param journalDirectory the queue's journal directory
 * @param unresolvedBatches transactions journaled before commit whose outcome is not yet known
 * @param backgroundErrors  failures of the dispatch threads since start (each one was logged)
 * @param handlers          one entry per registered handler, in registration order
 * @param journalUsableBytes the usable space of the journal's file system when the snapshot was
 *                          taken (one statvfs call), -1 if it could not be read
 * @param journalReservedBytes the space kept for release/rollback records and dead letters, which
 *                          new batches cannot use ({@link DenormQueueBuilder#reservedSpace(long)})
 * @param journalFull       whether the last new batch was refused for want of space (transactions
 *                          that publish roll back until space is freed)
 * @param journalSpaceLow   whether the usable space is under the warning threshold
 *                          ({@link DenormQueueBuilder#lowSpaceWarning(long)})
 */
public record QueueStats(String journalDirectory, int unresolvedBatches, long backgroundErrors,
                         List<HandlerStats> handlers, long journalUsableBytes, long journalReservedBytes,
                         boolean journalFull, boolean journalSpaceLow) {
    /**
     * @param journalDirectory the journal directory
     * @param unresolvedBatches transactions awaiting their outcome
     * @param backgroundErrors dispatch failures since start
     * @param handlers per-handler progress
     * @param journalUsableBytes usable space of the journal's file system, -1 if unknown
     * @param journalReservedBytes the reserve for completion records
     * @param journalFull whether new batches are being refused for want of space
     * @param journalSpaceLow whether free space is under the warning threshold
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
