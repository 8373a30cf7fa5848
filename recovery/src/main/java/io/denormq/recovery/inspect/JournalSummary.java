package io.denormq.recovery.inspect;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link JournalInspector#summary()} found in a journal directory.
 *
 * @param directory          the journal directory
 * @param cycleFiles         the journal's cycle files, oldest first
 * @param recordsByKind      records per kind (BATCH, RELEASE, ...)
 * @param releasedMessages   messages released (delivered or to be delivered to every handler)
 * @param unresolvedBatches  batches journaled before their commit whose outcome is not yet written
 * @param deadLetters        dead letters neither redriven nor discarded
 * @param cursors            each handler's cursor and lag
 * @param lockHolder         the lock file's content when a process holds the journal, else null
 */
public record JournalSummary(Path directory, List<CycleFile> cycleFiles, Map<String, Long> recordsByKind,
                             long releasedMessages, long unresolvedBatches, long deadLetters,
                             List<CursorLag> cursors, String lockHolder) {
    /**
     * @param directory         the journal directory
     * @param cycleFiles        cycle files
     * @param recordsByKind     counts per kind
     * @param releasedMessages  released messages
     * @param unresolvedBatches batches without outcome
     * @param deadLetters       unsettled dead letters
     * @param cursors           cursors
     * @param lockHolder        the holder, or null
     */
    public JournalSummary {
        cycleFiles = List.copyOf(cycleFiles);
        recordsByKind = Map.copyOf(recordsByKind);
        cursors = List.copyOf(cursors);
    }

    /**
     * One cycle file of the journal.
     *
     * @param name  the file name
     * @param bytes its size on disk
     */
    public record CycleFile(String name, long bytes) {
    }

    /**
     * A handler's durable cursor and how far behind the journal it is.
     *
     * @param handler     the handler's name
     * @param partition   the partition
     * @param cursor      the sequence of the last message it acknowledged, -1 if none
     * @param lagMessages released messages after the cursor
     */
    public record CursorLag(String handler, int partition, long cursor, long lagMessages) {
    }
}
