package io.denormq;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.denormq.internal.journal.CheckpointFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cursors whose handler is no longer registered: a retired read model. They would hold back the
 * journal's retention for ever, so the queue names them at every start and drops those the
 * operator asked it to drop.
 */
final class StaleCursors {
    private static final Logger LOG = LoggerFactory.getLogger(StaleCursors.class);

    private StaleCursors() {
    }

    static void dropAndWarn(CheckpointFile checkpoint, Set<String> registered, Set<String> toDrop, Path directory) {
        Set<String> dropped = new java.util.HashSet<>();
        for (String name : toDrop) {
            if (registered.contains(name)) {
                continue; // a registered handler's cursor is its position, never dropped
            }
            // the same drop as the maintenance API's (JournalMaintenance.dropCursor)
            for (CheckpointFile.Entry entry : checkpoint.dropCursors(name)) {
                dropped.add(name);
                LOG.info("Journal {}: dropped the cursor of retired handler '{}' (partition {}, cursor {})", directory,
                        entry.handler(), entry.partition(), Long.toHexString(entry.cursor()));
            }
        }
        List<String> stale = new ArrayList<>();
        for (CheckpointFile.Entry entry : checkpoint.entries()) {
            if (!registered.contains(entry.handler())) {
                stale.add(entry.handler() + "@" + Long.toHexString(entry.cursor()));
            }
        }
        for (String name : toDrop) {
            if (!dropped.contains(name)) {
                LOG.info("Journal {}: no cursor named '{}' to drop (already dropped?)", directory, name);
            }
        }
        if (!stale.isEmpty()) {
            LOG.warn("Journal {}: cursor(s) {} belong to no registered handler. If those read models are retired, drop "
                    + "them (DenormQueueBuilder.dropCursor(name), or `denormq cursors drop`): until then they hold "
                    + "back the journal's retention. If a handler was renamed, register it under its old name.",
                    directory, stale);
        }
    }
}
