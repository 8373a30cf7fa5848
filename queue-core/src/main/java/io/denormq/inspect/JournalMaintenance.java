package io.denormq.inspect;

import static io.denormq.internal.journal.JournalRecordDescriptor.SETTLED_DISCARDED;
import static io.denormq.internal.journal.JournalRecordDescriptor.SETTLED_REDRIVEN;

import java.nio.file.Path;
import java.util.List;

import io.denormq.DeadLetter;
import io.denormq.IncompatibleJournalException;
import io.denormq.JournalException;
import io.denormq.JournalLockedException;
import io.denormq.internal.journal.DeadLetterRecords;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalLock;

/**
 * Changes a journal no queue uses: redrives and discards dead letters, drops the cursors of retired
 * handlers. It holds the journal's lock from {@link #open} to {@link #close()}, so it refuses a
 * journal a queue has open (a running application redrives and discards with
 * {@link io.denormq.DenormQueue#redrive} and {@link io.denormq.DenormQueue#discard}, and drops
 * cursors with {@link io.denormq.DenormQueueBuilder#dropCursor}), and no queue can start on the
 * journal meanwhile. What it writes is durable when {@link #close()} returns, and the next queue
 * started on the journal acts on it.
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
     * Takes a journal's lock and opens it for maintenance.
     *
     * @param directory a journal directory
     * @return the maintenance session, holding the journal's lock
     * @throws JournalLockedException       if a queue (or another maintenance session) holds the journal,
     *                                      naming the process that holds it
     * @throws JournalException             if the directory does not exist or is not a denormq journal
     * @throws IncompatibleJournalException if it was written in another format
     */
    public static JournalMaintenance open(Path directory) {
        JournalDirectories.check(directory);
        JournalLock lock = JournalLock.acquire(directory);
        try {
            return new JournalMaintenance(directory, lock, Journal.open(directory, false));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return the journal directory */
    public Path directory() {
        return directory;
    }

    /**
     * Journals a redrive: the dead letter's handler receives its message again, with a new sequence,
     * when a queue next starts on the journal with that handler registered.
     *
     * @param deadLetterIndex the dead letter's journal index ({@link DeadLetter#journalIndex()})
     * @return the dead letter redriven
     * @throws IllegalArgumentException if the journal has no unsettled dead letter at that index
     */
    public DeadLetter redrive(long deadLetterIndex) {
        return DeadLetterRecords.settleUnsettled(journal, deadLetterIndex, SETTLED_REDRIVEN, this::noUnsettledDeadLetter);
    }

    /**
     * Drops a dead letter: it is no longer listed, and retention may delete it.
     *
     * @param deadLetterIndex the dead letter's journal index ({@link DeadLetter#journalIndex()})
     * @return the dead letter discarded
     * @throws IllegalArgumentException if the journal has no unsettled dead letter at that index
     */
    public DeadLetter discard(long deadLetterIndex) {
        return DeadLetterRecords.settleUnsettled(journal, deadLetterIndex, SETTLED_DISCARDED, this::noUnsettledDeadLetter);
    }

    private IllegalArgumentException noUnsettledDeadLetter(long index) {
        return new IllegalArgumentException("No unsettled dead letter at journal index " + Long.toHexString(index)
                + " in " + directory + " (already redriven or discarded?); `dead-letters list` shows them");
    }

    /** @return the unsettled dead letters, oldest first */
    public List<DeadLetter> deadLetters() {
        return DeadLetterRecords.readAll(journal);
    }

    /**
     * Drops every cursor (all partitions) of a handler, so that it no longer holds back retention.
     * If that handler is still registered in an application, it starts at the end of the journal on
     * its next start: drop only retired handlers.
     *
     * <p>It never creates a missing checkpoint file: a journal without one replays every message to
     * every handler on its next start (the cursors are lost), and a new, empty file would make that
     * start skip the whole backlog instead.
     *
     * @param handler the handler's name
     * @return the cursors dropped, none if the handler had none
     * @throws JournalException if the journal has no checkpoint file, saying so; nothing is changed
     */
    public List<Cursor> dropCursor(String handler) {
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, false)) {
            return checkpoint.dropCursors(handler).stream()
                    .map(entry -> new Cursor(entry.handler(), entry.partition(), entry.partitionCount(), entry.cursor()))
                    .toList();
        }
    }

    /** Closes the journal (its appends forced to the disk) and releases its lock. */
    @Override
    public void close() {
        try {
            try {
                journal.forceAll();
            } finally {
                journal.close();
            }
        } finally {
            lock.close();
        }
    }
}
