package io.denormq;

import java.nio.file.Path;

import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.JournalRecordDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cursors and the recovery low-water mark that point past the journal's last record. The
 * checkpoint's page can reach the disk before the journal records it passed (the operating system
 * writes mapped pages back in its own order), so after a power cut it may claim records the journal
 * no longer holds. Left alone, the journal would append new records at those indexes and the
 * handler would skip them as already processed; pulled back to the last record, nothing new is
 * skipped.
 */
final class CursorsBeyondTheJournal {
    private static final Logger LOG = LoggerFactory.getLogger(CursorsBeyondTheJournal.class);

    private CursorsBeyondTheJournal() {
    }

    /**
     * @param checkpoint the checkpoint, before any handler or recovery reads it
     * @param lastIndex  the journal's last record at open, -1 if it is empty
     * @param directory  the journal directory, for the log
     */
    static void pullBack(CheckpointFile checkpoint, long lastIndex, Path directory) {
        long lastSequence = lastIndex < 0 ? CheckpointDescriptor.NOTHING
                : JournalRecordDescriptor.compose(lastIndex, JournalRecordDescriptor.MAX_MESSAGES_PER_BATCH - 1);
        for (CheckpointFile.Entry entry : checkpoint.entries()) {
            long cursor = entry.cursor();
            if (cursor != CheckpointDescriptor.NOTHING && JournalRecordDescriptor.recordIndexOf(cursor) > lastIndex) {
                checkpoint.putCursor(entry.slot(), lastSequence);
                LOG.warn("Journal {}: the cursor of handler '{}' partition {} ({}) is past the journal's last record "
                                + "({}): records it had processed were lost from the journal, most likely in a power cut "
                                + "or a crash of the machine with a flush policy that does not cover it. Its cursor is "
                                + "set to the last record, so that nothing journaled from now on is skipped",
                        directory, entry.handler(), entry.partition(), Long.toHexString(cursor),
                        lastIndex < 0 ? "none" : Long.toHexString(lastIndex));
            }
        }
        long lowWater = checkpoint.recoveryLowWater();
        if (lowWater != CheckpointDescriptor.NOTHING && lowWater > lastIndex) {
            checkpoint.putRecoveryLowWater(lastIndex < 0 ? CheckpointDescriptor.NOTHING : lastIndex);
            LOG.warn("Journal {}: the recovery low-water mark {} is past the journal's last record ({}); pulled back",
                    directory, Long.toHexString(lowWater), lastIndex < 0 ? "none" : Long.toHexString(lastIndex));
        }
    }
}
