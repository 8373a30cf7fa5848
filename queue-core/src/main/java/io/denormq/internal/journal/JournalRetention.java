package io.denormq.internal.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the journal's old daily cycle files. A cycle file goes only when all of these hold:
 * <ul>
 *   <li>every cursor in the checkpoint file lies in a later cycle (a retired handler's cursor counts
 *       until it is dropped, so that no handler can lose messages to retention);</li>
 *   <li>the recovery low-water mark lies in a later cycle (no transaction in it awaits its outcome,
 *       and the readers have read it);</li>
 *   <li>no release at or after the lowest cursor refers to a batch in it, and no redrive there to a
 *       dead letter in it. A transaction journaled before 00:00 UTC and released after it, or a
 *       batch released by recovery at a later start, has its batch in an earlier day than its
 *       release; after a restart each reader starts at its handler's cursor, past such a batch, and
 *       reads it by index when it reaches the release, which can be days of backlog later;</li>
 *   <li>it holds no dead letter that is neither redriven nor discarded: a dead letter lives only in
 *       its day's file, so it holds that day (and, since files go oldest first, every later one)
 *       until an operator settles it. Each run that is held back by dead letters logs one WARN
 *       naming them;</li>
 *   <li>it is not the cycle being written, and its day ended longer ago than the retention period.</li>
 * </ul>
 * A file a tailer or appender still uses is left for the next run.
 *
 * <p>Cost: the cursors and the low-water mark are read from the checkpoint file. Only when some file
 * is past its retention and behind every cursor does a run read the journal, to find the releases,
 * redrives and dead letters above; it reads only what was appended since its previous read (the
 * whole journal the first time after a start), the kind of each record and a few fields of the rare
 * records of interest, which it keeps in memory (see {@link RetentionReferences}).
 *
 * <p>Not thread-safe: one instance per journal, run by one thread at a time.
 */
public final class JournalRetention {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);
    private static final long CYCLE_MILLIS = Journal.ROLL_CYCLE.lengthInMillis();
    /** Dead letters named in the WARN of a run they hold back; the rest are counted. */
    private static final int DEAD_LETTERS_NAMED = 10;

    private final Journal journal;
    private final CheckpointFile checkpoint;
    private final Duration retention;
    private final RetentionReferences references = new RetentionReferences();

    /**
     * @param journal    the journal, open for writing
     * @param checkpoint its checkpoint file
     * @param retention  how long after its day ended a cycle file is kept at least
     */
    public JournalRetention(Journal journal, CheckpointFile checkpoint, Duration retention) {
        this.journal = journal;
        this.checkpoint = checkpoint;
        this.retention = retention;
    }

    /** The oldest cycle that must be kept, and why. */
    private static final class Hold {
        int cycle;
        String reason;

        Hold(int cycle, String reason) {
            this.cycle = cycle;
            this.reason = reason;
        }

        void keep(int cycle, String reason) {
            if (cycle < this.cycle) {
                this.cycle = cycle;
                this.reason = reason;
            }
        }
    }

    /**
     * Deletes the cycle files that are due.
     *
     * @return the files deleted
     */
    public List<Path> apply() {
        long lastIndex = journal.lastIndex();
        if (lastIndex < 0) {
            return List.of();
        }
        Hold hold = new Hold(journal.cycleOf(lastIndex), "the cycle being written");
        long lowestCursorIndex = Long.MAX_VALUE;
        String lowestCursorHandler = null;
        for (CheckpointFile.Entry entry : checkpoint.entries()) {
            long index = entry.cursor() == CheckpointDescriptor.NOTHING ? Long.MIN_VALUE
                    : JournalRecordDescriptor.recordIndexOf(entry.cursor());
            if (index < lowestCursorIndex) {
                lowestCursorIndex = index;
                lowestCursorHandler = entry.handler();
            }
            hold.keep(index == Long.MIN_VALUE ? Integer.MIN_VALUE : journal.cycleOf(index),
                    "the cursor of handler '" + entry.handler() + "'");
        }
        long lowWater = checkpoint.recoveryLowWater();
        hold.keep(lowWater == CheckpointDescriptor.NOTHING ? Integer.MIN_VALUE : journal.cycleOf(lowWater),
                "a transaction awaiting its outcome, or records not yet read");
        long now = journal.currentTimeMillis();
        List<Journal.CycleFile> files = journal.cycleFiles();
        if (files.isEmpty() || files.get(0).cycle() >= hold.cycle || !expired(files.get(0), now)) {
            return List.of(); // nothing due: no need to read the journal
        }
        references.catchUp(journal);
        if (lowestCursorHandler != null) {
            holdForEarlierDayReferences(hold, lowestCursorIndex, lowestCursorHandler);
        }
        holdForUnsettledDeadLetters(hold, files, now);
        // What justifies a deletion must be on the disk before the deletion is: the later days' records (a new
        // day's file, the manifest and directory entry among them) and the cursors and low-water mark that
        // passed the deleted days. Otherwise a power cut can leave the deletion without its reasons.
        journal.forceAll();
        checkpoint.force();
        List<Path> deleted = deleteDue(files, hold, now);
        List<Journal.CycleFile> left = journal.cycleFiles();
        if (!deleted.isEmpty() && !left.isEmpty()) {
            references.forgetBefore(journal, left.get(0).cycle());
        }
        return deleted;
    }

    private void holdForEarlierDayReferences(Hold hold, long lowestCursorIndex, String handler) {
        Map.Entry<Long, Long> oldest = references.oldestReferenceFrom(lowestCursorIndex);
        if (oldest != null) {
            hold.keep(journal.cycleOf(oldest.getValue()), "the record at index " + Long.toHexString(oldest.getValue())
                    + ", read at index " + Long.toHexString(oldest.getKey()) + " (a release or redrive) that handler '"
                    + handler + "' has not processed yet");
        }
    }

    /** Holds the day of each unsettled dead letter that would otherwise go, with one WARN naming them. */
    private void holdForUnsettledDeadLetters(Hold hold, List<Journal.CycleFile> files, long now) {
        int heldBefore = hold.cycle;
        List<RetentionReferences.UnsettledDeadLetter> holding = new ArrayList<>();
        for (RetentionReferences.UnsettledDeadLetter deadLetter : references.unsettledDeadLetters()) {
            int cycle = journal.cycleOf(deadLetter.index());
            if (cycle < heldBefore && (cycle + 1L) * CYCLE_MILLIS + retention.toMillis() <= now) {
                holding.add(deadLetter);
                hold.keep(cycle, "an unsettled dead letter at index " + Long.toHexString(deadLetter.index()));
            }
        }
        if (holding.isEmpty() || files.isEmpty()) {
            return;
        }
        String named = holding.stream().limit(DEAD_LETTERS_NAMED)
                .map(d -> "handler '" + d.handler() + "' message " + Long.toHexString(d.messageId()) + " (dead letter "
                        + Long.toHexString(d.index()) + ", " + LocalDate.ofEpochDay(journal.cycleOf(d.index())) + ")")
                .collect(Collectors.joining(", "));
        int more = holding.size() - DEAD_LETTERS_NAMED;
        LOG.warn("Journal {}: {} unsettled dead letter(s) keep cycle file(s) from {} past their retention of {}; "
                        + "redrive or discard them (DenormQueue.redrive/discard, or `denormq dead-letters`) so that retention "
                        + "can delete those days: {}{}", journal.directory(), holding.size(),
                LocalDate.ofEpochDay(hold.cycle), retention, named, more > 0 ? " and " + more + " more" : "");
    }

    private boolean expired(Journal.CycleFile file, long now) {
        return (file.cycle() + 1L) * CYCLE_MILLIS + retention.toMillis() <= now;
    }

    private List<Path> deleteDue(List<Journal.CycleFile> files, Hold hold, long now) {
        List<Path> deleted = new ArrayList<>();
        for (Journal.CycleFile file : files) {
            boolean expired = expired(file, now);
            if (file.cycle() >= hold.cycle || !expired) {
                if (expired) {
                    LOG.info("Journal {}: cycle file {} is past its retention but kept for {}", journal.directory(),
                            file.path().getFileName(), hold.reason);
                }
                break;
            }
            if (journal.deleteCycle(file)) {
                deleted.add(file.path());
                LOG.info("Journal {}: deleted cycle file {} (day {}): every cursor is past it and past every release "
                                + "of a batch in it, no transaction in it awaits its outcome, it holds no unsettled dead "
                                + "letter, and it is older than the retention of {}", journal.directory(),
                        file.path().getFileName(), LocalDate.ofEpochDay(file.cycle()), retention);
            } else {
                LOG.debug("Journal {}: cycle file {} is still in use; retention tries again later",
                        journal.directory(), file.path().getFileName());
                break;
            }
        }
        return deleted;
    }
}
