package io.denormq.recovery.inspect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.denormq.DeadLetter;
import io.denormq.JournalException;
import io.denormq.JournalLockedException;
import io.denormq.internal.dispatch.DeadLetterRecords;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalLock;
import io.denormq.internal.journal.JournalRecordDescriptor;

/**
 * Changes a journal while no queue uses it: settles dead letters and drops cursors. It holds the
 * journal's lock for its whole life, so it refuses to open a journal a queue has open (a running
 * application redrives through {@link io.denormq.DenormQueue#redrive} instead).
 */
public final class JournalMaintenance implements AutoCloseable {
    private final Path directory;
    private final JournalLock lock;
    private final Journal journal;

    private JournalMaintenance(Path directory, JournalLock lock, Journal journal) {
        this.directory = directory;
        this.lock = lock;
        this.journal = journal;
    }

    /**
     * @param directory a journal directory
     * @return the maintenance session, holding the journal's lock
     * @throws JournalLockedException if a queue (or another maintenance session) holds the journal
     * @throws JournalException       if the directory is not a denormq journal
     */
    public static JournalMaintenance open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new JournalException(directory + " is not a directory: give the journal directory of a queue");
        }
        JournalFormat.checkOrCreate(directory, false);
        JournalLock lock = JournalLock.acquire(directory);
        try {
            return new JournalMaintenance(directory, lock, Journal.open(directory, false));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Journals a redrive: the dead letter's handler receives the message again on the queue's next
     * start.
     *
     * @param deadLetterIndex the dead letter's journal index
     * @return the dead letter
     * @throws IllegalArgumentException if there is no unsettled dead letter at that index
     */
    public DeadLetter redrive(long deadLetterIndex) {
        DeadLetter deadLetter = unsettled(deadLetterIndex);
        DeadLetterRecords.settle(journal, deadLetterIndex, JournalRecordDescriptor.SETTLED_REDRIVEN);
        return deadLetter;
    }

    /**
     * Drops a dead letter from the list.
     *
     * @param deadLetterIndex the dead letter's journal index
     * @return the dead letter
     * @throws IllegalArgumentException if there is no unsettled dead letter at that index
     */
    public DeadLetter discard(long deadLetterIndex) {
        DeadLetter deadLetter = unsettled(deadLetterIndex);
        DeadLetterRecords.settle(journal, deadLetterIndex, JournalRecordDescriptor.SETTLED_DISCARDED);
        return deadLetter;
    }

    /** @return the unsettled dead letters, oldest first */
    public List<DeadLetter> deadLetters() {
        return DeadLetterRecords.readAll(journal);
    }

    private DeadLetter unsettled(long index) {
        DeadLetter unsettled = DeadLetterRecords.findUnsettled(journal, index);
        if (unsettled != null) {
            return unsettled;
        }
        throw new IllegalArgumentException("No unsettled dead letter at journal index " + Long.toHexString(index)
                + " in " + directory + " (already redriven or discarded?); `dead-letters list` shows them");
    }

    /**
     * Drops every cursor (all partitions) of a handler. If that handler is still registered in an
     * application, it starts at the end of the journal on its next start: drop only retired handlers.
     *
     * <p>It never creates a missing checkpoint file: a journal without one replays every message to
     * every handler on its next start (the cursors are lost), and a new, empty file would make that
     * start skip the whole backlog instead.
     *
     * @param handler the handler's name
     * @return how many cursors were dropped, 0 if the handler had none
     * @throws JournalException if the journal has no checkpoint file, saying so; nothing is changed
     */
    public int dropCursor(String handler) {
        int dropped = 0;
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, false)) {
            for (CheckpointFile.Entry entry : checkpoint.entries()) {
                if (entry.handler().equals(handler)) {
                    checkpoint.free(entry.slot());
                    dropped++;
                }
            }
        }
        return dropped;
    }

    @Override
    public void close() {
        try {
            journal.close();
        } finally {
            lock.close();
        }
    }
}
