package io.denormq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.denormq.internal.dispatch.HandlerRunner;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the registered handlers into one {@link HandlerRunner} per partition, each with its
 * checkpoint slot: a new handler starts at the journal's end, a handler whose partition count
 * changed resumes every partition from the lowest old cursor, and a rebuilt handler from the
 * rebuild's start.
 */
final class HandlerSetup {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerSetup.class);

    private HandlerSetup() {
    }

    static List<HandlerRunner> runners(QueueSettings settings, CheckpointFile checkpoint, Journal journal,
                                       long newHandlerCursor) {
        List<HandlerRunner> runners = new ArrayList<>();
        String journalId = JournalIdentity.readOrCreate(journal.directory());
        for (Map.Entry<String, HandlerSpec> entry : settings.handlers().entrySet()) {
            String name = entry.getKey();
            int partitions = entry.getValue().partitions();
            long initialCursor = repartition(checkpoint, name, partitions, newHandlerCursor);
            Long rebuildAfter = settings.rebuilds().get(name);
            for (int partition = 0; partition < partitions; partition++) {
                MessageHandler handler = entry.getValue().factory().apply(partition);
                if (handler == null) {
                    throw new ConfigurationException("handler: the factory of '" + name + "' returned null for partition "
                            + partition);
                }
                StartedHandler context = new StartedHandler(journalId, name, partition, partitions, settings.retryPolicy(),
                        handler instanceof AsyncMessageHandler);
                start(handler, context);
                int slot = checkpoint.slotFor(name, partition, partitions, initialCursor);
                if (rebuildAfter != null) {
                    rebuild(name, partition, handler, rebuildAfter, checkpoint, slot);
                }
                HandlerRunner runner = new HandlerRunner(name, partition, partitions, handler, settings.retryPolicy(),
                        checkpoint, slot, journal, maxInFlight(name, handler), settings.codec(),
                        settings.handlerInterceptor());
                context.attach(runner);
                runners.add(runner);
            }
        }
        return runners;
    }

    /**
     * @return where a partition without a slot starts: the journal's end for a new handler, the
     *         lowest old cursor for a handler whose partition count changed (whose old slots are freed)
     */
    private static long repartition(CheckpointFile checkpoint, String name, int partitions, long newHandlerCursor) {
        List<CheckpointFile.Entry> old = checkpoint.entries().stream()
                .filter(e -> e.handler().equals(name) && e.partitionCount() != partitions).toList();
        if (old.isEmpty()) {
            return newHandlerCursor;
        }
        long lowest = old.stream().mapToLong(CheckpointFile.Entry::cursor).min().orElseThrow();
        old.forEach(e -> checkpoint.free(e.slot()));
        LOG.warn("Handler '{}' now runs as {} partition(s) instead of {}: every partition resumes from the lowest old "
                        + "cursor {}, so messages some old partitions had processed are delivered again",
                name, partitions, old.get(0).partitionCount(), Long.toHexString(lowest));
        return lowest;
    }

    /** @return an asynchronous handler's in-flight cap, checked; 0 for a plain handler */
    private static int maxInFlight(String name, MessageHandler handler) {
        if (!(handler instanceof AsyncMessageHandler async)) {
            return 0;
        }
        int maxInFlight = async.maxInFlight();
        if (maxInFlight < 1 || maxInFlight > AsyncMessageHandler.MAX_IN_FLIGHT_LIMIT) {
            throw new ConfigurationException("handler: '" + name + "' asks for maxInFlight() = " + maxInFlight + "; an "
                    + "AsyncMessageHandler may have 1 to " + AsyncMessageHandler.MAX_IN_FLIGHT_LIMIT + " messages unacknowledged");
        }
        return maxInFlight;
    }

    private static void start(MessageHandler handler, HandlerContext context) {
        try {
            handler.onStart(context);
        } catch (ConfigurationException e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigurationException("Handler '" + context.handlerName() + "' partition " + context.partition()
                    + " refused to start (onStart): " + e, e);
        }
    }

    private static void rebuild(String name, int partition, MessageHandler handler, long afterSequence,
                                CheckpointFile checkpoint, int slot) {
        LOG.warn("Handler '{}' partition {} rebuilds its read model: it is replayed every retained message after "
                        + "sequence {} (its cursor was {}); remove the rebuild setting once done, or every start replays",
                name, partition, afterSequence < 0 ? "none (from the earliest)" : Long.toHexString(afterSequence),
                Long.toHexString(checkpoint.cursor(slot)));
        try {
            handler.onRebuild(afterSequence);
        } catch (Exception e) {
            throw new ConfigurationException("Handler '" + name + "' failed to prepare its rebuild (onRebuild): " + e
                    + "; nothing was replayed and its cursor is unchanged", e);
        }
        checkpoint.putCursor(slot, afterSequence);
    }
}
