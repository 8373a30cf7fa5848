package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.util.Arrays;

import net.openhft.chronicle.queue.ExcerptTailer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayQueue;

/**
 * The release bookkeeping of a journal read in order, in one place: it keeps the batches whose
 * transaction outcome has not been read yet, drops a batch when its ROLLBACK is read, and turns a
 * RELEASE (or a RELEASED_BATCH) into the released batch, reading a batch written before reading
 * started by its index. A RELEASES record is read as its outcomes one after the other. The queue's
 * readers, start-up recovery and the inspection API all read releases through it, so they agree on
 * what is released and what is unresolved.
 *
 * <p>Not thread-safe: one reader feeds it the records it reads, in journal order.
 */
public final class ReleaseResolver {
    /** Receives a released batch, in release order. */
    @FunctionalInterface
    public interface Released {
        /**
         * @param batch        the batch record (its array may be longer than the record), valid during the call only
         * @param releaseIndex the journal index of the release (of the batch itself for RELEASED_BATCH)
         * @param batchIndex   the journal index of the batch
         * @param firstOrdinal the ordinal of the batch's first message in the release's sequences: 0,
         *                     except for a batch after the first in a RELEASES record
         */
        void onReleased(byte[] batch, long releaseIndex, long batchIndex, int firstOrdinal);
    }

    /** Where the copies of kept batches come from and go back to: a reader pools them, others allocate. */
    public interface BatchCopies {
        /**
         * @param record a batch record
         * @param length its length
         * @return an array holding {@code record[0 .. length)}; it may be longer
         */
        byte[] copyOf(byte[] record, int length);

        /** @param batch an array from {@link #copyOf} that nothing refers to any more */
        void giveBack(byte[] batch);
    }

    /** Copies batches into new arrays, and lets the garbage collector take them back. */
    public static final BatchCopies ALLOCATE = new BatchCopies() {
        @Override
        public byte[] copyOf(byte[] record, int length) {
            return Arrays.copyOf(record, length);
        }

        @Override
        public void giveBack(byte[] batch) {
            // nothing pooled
        }
    };

    /** Kept for a batch whose bytes are not needed (recovery needs only which batches are open). */
    private static final byte[] NOT_KEPT = new byte[0];
    /** Resolved indexes the journal-order queue may hold beyond twice the unresolved ones before it is compacted. */
    private static final int COMPACT_SLACK = 1024;
    /** What the journal-order queue answers when empty, and the newest index queued before any: no journal index. */
    private static final long NONE_QUEUED = Long.MIN_VALUE;

    private final Journal journal;
    private final BatchCopies copies;
    private final boolean keepBatches;
    private final ErrorHandler errorHandler;
    private final Long2ObjectHashMap<byte[]> unresolved = new Long2ObjectHashMap<>();
    /**
     * The unresolved batches' indexes in journal order, and some resolved ones not dropped yet: a
     * batch resolved out of order leaves when it reaches the head. The head is always the oldest
     * unresolved batch (resolving it drops every resolved index behind it), so finding the next one
     * is a step or two, where a scan of the map cost its whole capacity on every release. Compacted
     * when it holds twice the unresolved batches and more.
     */
    private final LongArrayQueue journalOrder = new LongArrayQueue(NONE_QUEUED);
    private long newestQueued = NONE_QUEUED;

    private ReleaseResolver(Journal journal, BatchCopies copies, boolean keepBatches, ErrorHandler errorHandler) {
        this.journal = journal;
        this.copies = copies;
        this.keepBatches = keepBatches;
        this.errorHandler = errorHandler;
    }

    /**
     * A resolver that hands out released batches.
     *
     * @param journal      the journal read (for batches released after reading started, and for messages)
     * @param copies       where the copies of unresolved batches come from
     * @param errorHandler receives a release whose batch is gone or is not a batch (its messages are skipped)
     * @return the resolver
     */
    public static ReleaseResolver releasing(Journal journal, BatchCopies copies, ErrorHandler errorHandler) {
        return new ReleaseResolver(journal, copies, true, errorHandler);
    }

    /**
     * A resolver that tracks only which batches are unresolved and keeps none of their bytes.
     *
     * @param journal the journal read
     * @return the resolver
     */
    public static ReleaseResolver tracking(Journal journal) {
        return new ReleaseResolver(journal, ALLOCATE, false, error -> { });
    }

    /**
     * Reads one record's effect on the bookkeeping.
     *
     * @param record      the record (at least {@link JournalRecordDescriptor#HEADER_LENGTH} bytes, its
     *                    version checked)
     * @param length      its length
     * @param index       its journal index
     * @param batchTailer a tailer of the journal to read a batch released after reading started, or
     *                    null not to read one (its release is then not reported)
     * @param released    receives a released batch, or null for none
     * @return whether the record was a batch or an outcome; false for the other kinds, which the caller reads
     */
    public boolean onRecord(byte[] record, int length, long index, ExcerptTailer batchTailer, Released released) {
        switch (record[KIND_OFFSET]) {
            case KIND_BATCH -> {
                unresolved.put(index, keepBatches ? copies.copyOf(record, length) : NOT_KEPT);
                queueInJournalOrder(index);
            }
            case KIND_RELEASED_BATCH -> {
                if (released != null) {
                    released.onReleased(record, index, index, 0);
                }
            }
            case KIND_RELEASE -> release(batchIndexOf(record), index, 0, batchTailer, released);
            case KIND_ROLLBACK -> discard(batchIndexOf(record));
            case KIND_RELEASES -> {
                int outcomes = releasesCountOf(record, length);
                for (int entry = 0; entry < outcomes; entry++) {
                    int at = releasesEntryOffset(entry);
                    long batchIndex = getLong(record, at + ENTRY_BATCH_INDEX);
                    if (record[at + ENTRY_KIND] == KIND_ROLLBACK) {
                        discard(batchIndex);
                    } else {
                        release(batchIndex, index, getInt(record, at + ENTRY_FIRST_ORDINAL), batchTailer, released);
                    }
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void release(long batchIndex, long index, int firstOrdinal, ExcerptTailer batchTailer, Released released) {
        byte[] batch = remove(batchIndex);
        if (batch != null && batch != NOT_KEPT) {
            if (released != null) {
                released.onReleased(batch, index, batchIndex, firstOrdinal);
            }
            copies.giveBack(batch); // whoever received it copied what it keeps
        } else if (batch == null && batchTailer != null && released != null) {
            batch = readBatchAt(batchTailer, batchIndex, index);
            if (batch != null) {
                released.onReleased(batch, index, batchIndex, firstOrdinal);
            }
        }
    }

    private void discard(long batchIndex) {
        byte[] batch = remove(batchIndex);
        if (batch != null && batch != NOT_KEPT) {
            copies.giveBack(batch);
        }
    }

    private byte[] remove(long batchIndex) {
        byte[] batch = unresolved.remove(batchIndex);
        if (batch != null && batchIndex == journalOrder.peekLong()) {
            dropResolvedHead();
        }
        return batch;
    }

    private void queueInJournalOrder(long index) {
        if (index > newestQueued) {
            journalOrder.addLong(index);
            newestQueued = index;
            if (journalOrder.size() > 2 * unresolved.size() + COMPACT_SLACK) {
                compact();
            }
        } else {
            // records are read in journal order, so this is not expected; stay right if it happens
            requeueSorted();
        }
    }

    /** Drops resolved indexes from the head, until the oldest unresolved batch's index is there. */
    private void dropResolvedHead() {
        while (!journalOrder.isEmpty() && !unresolved.containsKey(journalOrder.peekLong())) {
            journalOrder.pollLong();
        }
    }

    private void compact() {
        for (int queued = journalOrder.size(); queued > 0; queued--) {
            long index = journalOrder.pollLong();
            if (unresolved.containsKey(index)) {
                journalOrder.addLong(index);
            }
        }
    }

    private void requeueSorted() {
        journalOrder.clear();
        long[] sorted = unresolvedIndexes();
        for (long index : sorted) {
            journalOrder.addLong(index);
        }
        newestQueued = sorted.length == 0 ? NONE_QUEUED : sorted[sorted.length - 1];
    }

    private byte[] readBatchAt(ExcerptTailer batchTailer, long batchIndex, long releaseIndex) {
        byte[] batch = Journal.readAt(batchTailer, batchIndex);
        if (batch == null) {
            errorHandler.onError(new IllegalStateException("Journal " + journal.directory() + ": release at index "
                    + Long.toHexString(releaseIndex) + " refers to batch " + Long.toHexString(batchIndex)
                    + ", which is no longer in the journal; its messages cannot be delivered"));
            return null;
        }
        if (batch.length < MESSAGES_OFFSET || batch[KIND_OFFSET] != KIND_BATCH) {
            errorHandler.onError(new IllegalStateException("Journal " + journal.directory() + ": release at index "
                    + Long.toHexString(releaseIndex) + " refers to index " + Long.toHexString(batchIndex)
                    + ", which is not a batch; skipped"));
            return null;
        }
        JournalRecordDescriptor.checkVersion(batch, batchIndex, journal.directory());
        return batch;
    }

    /** @return how many batches were read whose outcome was not */
    public int unresolvedCount() {
        return unresolved.size();
    }

    /** @return the journal index of the oldest unresolved batch, {@link Long#MAX_VALUE} if there is none */
    public long oldestUnresolved() {
        return journalOrder.isEmpty() ? Long.MAX_VALUE : journalOrder.peekLong();
    }

    /** @return the journal indexes of the unresolved batches, in journal order */
    public long[] unresolvedIndexes() {
        long[] indexes = new long[unresolved.size()];
        int i = 0;
        for (Long2ObjectHashMap<byte[]>.KeyIterator keys = unresolved.keySet().iterator(); keys.hasNext(); ) {
            indexes[i++] = keys.nextLong();
        }
        Arrays.sort(indexes);
        return indexes;
    }

    /**
     * @param batchIndex an unresolved batch's journal index
     * @return its record, or null if it is not unresolved or its bytes are not kept
     */
    public byte[] unresolvedBatch(long batchIndex) {
        byte[] batch = unresolved.get(batchIndex);
        return batch == NOT_KEPT ? null : batch;
    }
}
