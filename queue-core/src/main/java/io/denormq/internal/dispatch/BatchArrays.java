package io.denormq.internal.dispatch;

import java.util.ArrayDeque;

import io.denormq.internal.journal.ReleaseResolver;

/**
 * The arrays a reader keeps batches in while their transactions are open (WRITE_AHEAD: the batch
 * is journaled before the commit, released after it). A batch's array comes back once the batch is
 * dispatched or rolled back, and is used for a later batch, so that a steady stream of transactions
 * allocates nothing. Used by the reader thread only.
 */
final class BatchArrays implements ReleaseResolver.BatchCopies {
    /**
     * Bytes of spare arrays kept at most: enough for the batches journaled while the outcomes of
     * back-to-back transactions wait to be written together (a RELEASES record resolves up to a
     * thousand), as many as a busy application has threads committing otherwise.
     */
    private static final int MAX_KEPT_TOTAL_BYTES = 1024 * 1024;
    /** A huge batch's array is dropped rather than kept: it should not pin memory. */
    private static final int MAX_KEPT_BYTES = 64 * 1024;
    private static final int MIN_BYTES = 512;

    private final ArrayDeque<byte[]> spare = new ArrayDeque<>(64);
    private long keptBytes;

    /** @return an array holding {@code source[0 .. length)}; it may be longer than {@code length} */
    @Override
    public byte[] copyOf(byte[] source, int length) {
        byte[] array = spare.pollLast();
        if (array != null) {
            keptBytes -= array.length;
        }
        if (array == null || array.length < length) {
            array = new byte[Math.max(length, MIN_BYTES)];
        }
        System.arraycopy(source, 0, array, 0, length);
        return array;
    }

    /** Takes back an array from {@link #copyOf} that nothing refers to any more. */
    @Override
    public void giveBack(byte[] array) {
        if (array.length <= MAX_KEPT_BYTES && keptBytes + array.length <= MAX_KEPT_TOTAL_BYTES) {
            spare.addLast(array);
            keptBytes += array.length;
        }
    }
}
