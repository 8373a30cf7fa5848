package io.denormq;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Completed transaction batches (each with its record buffer) waiting for the next transaction, on
 * whichever thread it runs: a bounded set of slots shared by every publishing thread, in place of a
 * spare batch kept in each thread's thread-locals. A thread's first transaction then takes a warm
 * batch instead of allocating one and creating a thread-local entry for it, and a thread that ends
 * leaves nothing behind; the pool holds at most {@link #SLOTS} batches whatever the number of threads.
 *
 * <p>Lock-free: a batch is moved in and out of a slot with one compare-and-set, so a batch is held by
 * one transaction or by the pool, never by two. Each thread starts at a slot picked by its id: a
 * long-lived thread gives its batch back to its own slot and finds it there at once. Thread ids grow
 * as threads are made, so a new thread looks downwards from its slot, where the threads made just
 * before it gave theirs back, and gives its own back upwards from its slot. When every slot is empty
 * (more transactions in flight than slots) a new batch is made, and when every slot is full a
 * returned batch is left to the garbage collector.
 */
final class BatchPool {
    /**
     * Slots in the pool: a power of two above the 200 request threads of Tomcat's default pool, so
     * that a pool of threads that all sit in transactions at once (waiting for their database) still
     * reuses its batches; it keeps only as many batches as were ever in flight at once, at most 256 of
     * about 600 bytes each (some 150 KiB) per queue.
     */
    static final int SLOTS = 256;
    private static final int MASK = SLOTS - 1;

    private final AtomicReferenceArray<PendingBatch> slots = new AtomicReferenceArray<>(SLOTS);

    /** @return a batch no one else holds, or null if the pool is empty */
    PendingBatch take() {
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home - i) & MASK;
            PendingBatch batch = slots.get(slot);
            if (batch != null && slots.compareAndSet(slot, batch, null)) {
                return batch;
            }
        }
        return null;
    }

    /**
     * Gives a batch back; the caller must no longer use it.
     *
     * @param batch a completed batch
     */
    void offer(PendingBatch batch) {
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home + i) & MASK;
            if (slots.get(slot) == null && slots.compareAndSet(slot, null, batch)) {
                return;
            }
        }
    }

    /** @return how many batches the pool holds now: for tests */
    int size() {
        int size = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) != null) {
                size++;
            }
        }
        return size;
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; the library compiles for 17
    private static int home() {
        return (int) Thread.currentThread().getId() & MASK;
    }
}
