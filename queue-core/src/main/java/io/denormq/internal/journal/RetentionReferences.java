package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * What {@link JournalRetention} must know about records that a reader may still need from an
 * earlier day than the record that leads to them:
 * <ul>
 *   <li>releases whose batch lies in an earlier day (a transaction that spanned midnight UTC, a
 *       batch released by recovery at a later start), and redrives of dead letters of an earlier
 *       day: a reader reaches such a record only after everything before it, then reads the batch
 *       or dead letter at its index;</li>
 *   <li>dead letters neither redriven nor discarded: they live only in their day's file.</li>
 * </ul>
 * Both are rare (a few transactions per midnight, the batches a crash left without outcome, the
 * dead letters an operator has not settled yet), so they are kept in memory. The journal is read
 * incrementally: the first call reads it from its first record, each later call only the records
 * appended since, reading no more than each record's kind and, for these kinds, a few fields.
 * Not thread-safe: retention runs one at a time.
 */
final class RetentionReferences {
    /** A dead letter that is neither redriven nor discarded. */
    record UnsettledDeadLetter(long index, String handler, long messageId) {
    }

    /** Release or redrive index → index of the batch or dead letter it needs, in an earlier day. */
    private final TreeMap<Long, Long> earlierDayReferences = new TreeMap<>();
    /** Dead letter index → the dead letter, until it is settled. */
    private final TreeMap<Long, UnsettledDeadLetter> unsettled = new TreeMap<>();
    private long readUpTo = CheckpointDescriptor.NOTHING;

    /**
     * Reads the records appended since the last call (all of them on the first).
     *
     * @param journal the journal
     * @return how many records were read
     */
    long catchUp(Journal journal) {
        long read = 0;
        try (ExcerptTailer tailer = journal.createTailer()) {
            if (readUpTo == CheckpointDescriptor.NOTHING || !tailer.moveToIndex(readUpTo)) {
                forgetAll(); // first call, or the record last read is gone: read the journal again
                tailer.toStart();
            } else {
                try (DocumentContext alreadyRead = tailer.readingDocument()) {
                    // positioned after the record last read
                }
            }
            while (true) {
                try (DocumentContext context = tailer.readingDocument()) {
                    if (!context.isPresent()) {
                        return read;
                    }
                    read++;
                    readUpTo = context.index();
                    note(journal, context.index(), context.wire().bytes());
                }
            }
        }
    }

    private void note(Journal journal, long index, Bytes<?> bytes) {
        long length = bytes.readRemaining();
        if (length < HEADER_LENGTH) {
            return;
        }
        byte kind = bytes.readByte(bytes.readPosition() + KIND_OFFSET);
        if (kind != KIND_RELEASE && kind != KIND_RELEASES && kind != KIND_DEAD_LETTER_SETTLED
                && kind != KIND_DEAD_LETTER) {
            return; // only these refer to other records or must be kept: the rest is not copied out
        }
        byte[] record = new byte[(int) length];
        bytes.read(record);
        checkVersion(record, index, journal.directory());
        if (kind == KIND_RELEASE && length >= OUTCOME_LENGTH) {
            noteReference(journal, index, batchIndexOf(record));
        } else if (kind == KIND_RELEASES) {
            int outcomes = releasesCountOf(record, record.length);
            for (int entry = 0; entry < outcomes; entry++) {
                int at = releasesEntryOffset(entry);
                if (record[at + ENTRY_KIND] == KIND_RELEASE) {
                    noteReference(journal, index, getLong(record, at + ENTRY_BATCH_INDEX));
                }
            }
        } else if (kind == KIND_DEAD_LETTER_SETTLED && length >= OUTCOME_LENGTH) {
            long deadLetter = batchIndexOf(record);
            unsettled.remove(deadLetter);
            if (record[REASON_OFFSET] == SETTLED_REDRIVEN) {
                noteReference(journal, index, deadLetter);
            }
        } else if (kind == KIND_DEAD_LETTER && length >= DEAD_HANDLER_OFFSET + LENGTH_PREFIX) {
            int handlerLength = getInt(record, DEAD_HANDLER_OFFSET);
            String handler = handlerLength >= 0 && DEAD_HANDLER_OFFSET + LENGTH_PREFIX + (long) handlerLength <= length
                    ? readString(record, DEAD_HANDLER_OFFSET) : "?";
            unsettled.put(index, new UnsettledDeadLetter(index, handler, getLong(record, DEAD_MESSAGE_ID_OFFSET)));
        }
    }

    private void noteReference(Journal journal, long index, long referenced) {
        if (journal.cycleOf(referenced) < journal.cycleOf(index)) {
            earlierDayReferences.merge(index, referenced, Math::min); // a RELEASES record: its oldest batch
        }
    }

    /**
     * @param fromIndex the first record index that some reader will still read
     * @return the release or redrive at or after {@code fromIndex} that needs the oldest record of
     *         an earlier day (key: its index, value: the index it needs), or null if none does
     */
    Map.Entry<Long, Long> oldestReferenceFrom(long fromIndex) {
        Map.Entry<Long, Long> oldest = null;
        for (Map.Entry<Long, Long> entry : earlierDayReferences.tailMap(fromIndex, true).entrySet()) {
            if (oldest == null || entry.getValue() < oldest.getValue()) {
                oldest = entry;
            }
        }
        return oldest;
    }

    /** @return the dead letters neither redriven nor discarded, oldest first */
    List<UnsettledDeadLetter> unsettledDeadLetters() {
        return new ArrayList<>(unsettled.values());
    }

    /**
     * Forgets what refers to days that retention deleted.
     *
     * @param journal     the journal
     * @param oldestCycle the oldest day still in the journal
     */
    void forgetBefore(Journal journal, int oldestCycle) {
        earlierDayReferences.values().removeIf(referenced -> journal.cycleOf(referenced) < oldestCycle);
        unsettled.keySet().removeIf(index -> journal.cycleOf(index) < oldestCycle);
    }

    private void forgetAll() {
        earlierDayReferences.clear();
        unsettled.clear();
        readUpTo = CheckpointDescriptor.NOTHING;
    }
}
