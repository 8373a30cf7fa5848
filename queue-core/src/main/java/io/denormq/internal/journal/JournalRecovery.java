package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up half of recovery: finds the batches whose transaction outcome was never written
 * (the process died between a transaction's before-commit and after-completion) and releases them.
 * By the time a queue starts, every transaction of the previous run has completed; a batch without
 * an outcome may have committed, so it is released rather than risk losing it (a rolled-back
 * transaction's messages may be delivered; a committed one's must not be lost).
 *
 * <p>It resolves batches with the same {@link ReleaseResolver} as the readers. The scan starts at the checkpoint's recovery low-water mark, so its cost grows with the
 * number of entries written since the oldest unresolved batch, not with the journal's size.
 */
public final class JournalRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

    /**
     * What recovery found.
     *
     * @param scanFrom     the journal index the scan started at, or -1 for the start
     * @param scanned      records read
     * @param released     batches released because they had no outcome
     */
    public record Result(long scanFrom, long scanned, long[] released) {
    }

    private JournalRecovery() {
    }

    /**
     * Releases every batch at or after the low-water mark that has no outcome record.
     *
     * @param journal    the journal, open for writing
     * @param checkpoint its checkpoint file
     * @return what was found and released
     */
    public static Result releaseOrphans(Journal journal, CheckpointFile checkpoint) {
        long from = checkpoint.recoveryLowWater();
        ReleaseResolver open = ReleaseResolver.tracking(journal);
        byte[] scratch = new byte[OUTCOME_LENGTH];
        long scanned = 0;
        try (ExcerptTailer tailer = journal.createTailer()) {
            position(tailer, from, journal);
            while (true) {
                boolean read;
                try (DocumentContext context = tailer.readingDocument()) {
                    read = context.isPresent();
                    if (read) {
                        scanned++;
                        track(context, open, scratch, journal);
                    }
                }
                if (!read && !journal.moveOnFromADayWithoutEnd(tailer)) {
                    break;
                }
            }
        }
        long[] orphans = open.unresolvedIndexes();
        RecordBuffer record = new RecordBuffer(OUTCOME_LENGTH);
        for (long batch : orphans) {
            record.outcome(KIND_RELEASE, batch, REASON_RECOVERED, System.currentTimeMillis());
            journal.append(record.array(), record.length());
        }
        if (orphans.length > 0) {
            LOG.warn("Journal {}: released {} batch(es) whose transaction outcome was never written (the process "
                            + "stopped between before-commit and after-completion); their messages are delivered even "
                            + "if those transactions rolled back. First batch index: {}",
                    journal.directory(), orphans.length, Long.toHexString(orphans[0]));
        }
        return new Result(from, scanned, orphans);
    }

    /**
     * Feeds a record's header and batch index (every outcome of a RELEASES record) to the
     * bookkeeping (it keeps no batch bytes), after checking its version: a journal holding records
     * of a newer format refuses the start.
     */
    private static void track(DocumentContext context, ReleaseResolver open, byte[] scratch, Journal journal) {
        Bytes<?> bytes = context.wire().bytes();
        long length = bytes.readRemaining();
        if (length < HEADER_LENGTH) {
            LOG.warn("Journal {}: record at index {} is {} bytes, shorter than a header; skipped",
                    journal.directory(), Long.toHexString(context.index()), length);
            return;
        }
        long start = bytes.readPosition();
        int copied = (int) Math.min(length, scratch.length);
        bytes.read(scratch, 0, copied);
        checkVersion(scratch, context.index(), journal.directory());
        if (scratch[KIND_OFFSET] == KIND_RELEASES && copied < length) {
            byte[] whole = new byte[(int) length]; // read whole: every outcome it holds counts
            bytes.readPosition(start);
            bytes.read(whole, 0, whole.length);
            open.onRecord(whole, whole.length, context.index(), null, null);
            return;
        }
        if (copied < OUTCOME_LENGTH && scratch[KIND_OFFSET] != KIND_BATCH) {
            return; // too short to name a batch: not an outcome
        }
        open.onRecord(scratch, copied, context.index(), null, null);
    }

    /**
     * Positions a tailer at a journal index, or at the start when the index is
     * {@link CheckpointDescriptor#NOTHING} or no longer in the journal.
     *
     * @param tailer  the tailer
     * @param index   the index to start at
     * @param journal the journal, for the log
     */
    public static void position(ExcerptTailer tailer, long index, Journal journal) {
        if (index == CheckpointDescriptor.NOTHING) {
            tailer.toStart();
        } else if (!tailer.moveToIndex(index)) {
            LOG.warn("Journal {}: index {} is no longer in the journal; reading from its first retained entry",
                    journal.directory(), Long.toHexString(index));
            tailer.toStart();
        }
    }
}
