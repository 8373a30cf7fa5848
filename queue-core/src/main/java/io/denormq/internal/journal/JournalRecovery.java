package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.util.Arrays;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.LongHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up half of recovery: finds the batches whose transaction outcome was never written
 * (the process died between a transaction's before-commit and after-completion) and releases them.
 * By the time a queue starts, every transaction of the previous run has completed; a batch without
 * an outcome may have committed, so it is released rather than risk losing it (a rolled-back
 * transaction's messages may be delivered; a committed one's must not be lost).
 *
 * <p>The scan starts at the checkpoint's recovery low-water mark, so its cost grows with the
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
        LongHashSet open = new LongHashSet();
        long scanned = 0;
        try (ExcerptTailer tailer = journal.createTailer()) {
            position(tailer, from, journal);
            while (true) {
                boolean read;
                try (DocumentContext context = tailer.readingDocument()) {
                    read = context.isPresent();
                    if (read) {
                        scanned++;
                        track(context, open, journal);
                    }
                }
                if (!read && !journal.moveOnFromADayWithoutEnd(tailer)) {
                    break;
                }
            }
        }
        long[] orphans = sorted(open);
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

    /** Adds a batch to the open ones, or removes the batch an outcome record resolves. */
    private static void track(DocumentContext context, LongHashSet open, Journal journal) {
        Bytes<?> bytes = context.wire().bytes();
        long start = bytes.readPosition();
        if (bytes.readRemaining() < HEADER_LENGTH) {
            LOG.warn("Journal {}: record at index {} is {} bytes, shorter than a header; skipped",
                    journal.directory(), Long.toHexString(context.index()), bytes.readRemaining());
            return;
        }
        byte kind = bytes.readByte(start + KIND_OFFSET);
        if (kind == KIND_BATCH) {
            open.add(context.index());
        } else if (kind == KIND_RELEASE || kind == KIND_ROLLBACK) {
            open.remove(bytes.readLong(start + BATCH_INDEX_OFFSET));
        }
    }

    private static long[] sorted(LongHashSet set) {
        long[] values = new long[set.size()];
        int i = 0;
        LongHashSet.LongIterator iterator = set.iterator();
        while (iterator.hasNext()) {
            values[i++] = iterator.nextValue();
        }
        Arrays.sort(values);
        return values;
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
