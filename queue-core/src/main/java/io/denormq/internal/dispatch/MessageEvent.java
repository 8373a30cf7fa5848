package io.denormq.internal.dispatch;

import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.MessageView;

/**
 * A slot of the dispatch ring: one released message. The reader copies the message's bytes (topic,
 * key, payload, as laid out in the journal record) into the slot's own buffer, which the slot keeps
 * for the next message, so that dispatching allocates nothing per message and the reader can reuse
 * the memory it read the batch into as soon as the batch is dispatched.
 *
 * <p>A message larger than the slot may keep gets an array of its own, dropped with the next
 * message: a burst of large messages must not pin {@code ringSize × largest message} of memory.
 * Messages the ring's handler will pass over (another partition's keys, another handler's redrive)
 * carry no bytes at all.
 */
final class MessageEvent {
    /** Message buffers a ring's slots keep, together, at most about this many bytes. */
    static final int RETAINED_BYTES_PER_RING = 16 * 1024 * 1024;
    /** Slots of the smallest rings keep no more than this each. */
    private static final int MAX_RETAINED_BYTES_PER_SLOT = 256 * 1024;
    private static final int MIN_RETAINED_BYTES_PER_SLOT = 256;

    private final int retainedMax;
    /** The buffer this slot keeps from message to message. */
    private byte[] retained;
    /** The current message's bytes from offset 0: {@link #retained}, or an array of its own if it was too big. */
    byte[] bytes;
    long sequence;
    /** {@link io.denormq.Message#originalSequence()}: the sequence, or a redrive's failed delivery's. */
    long originalSequence;
    long id;
    long releasedAtMillis;
    boolean redelivered;
    /** The only handler this event is for (a redriven dead letter), or null for every handler. */
    String target;
    /** Hash of the message's key bytes: picks the partition of a partitioned handler. */
    int keyHash;

    /**
     * @param ringSize the capacity of the ring the slot belongs to: sets how much the slot may keep
     */
    MessageEvent(int ringSize) {
        this.retainedMax = Math.max(MIN_RETAINED_BYTES_PER_SLOT,
                Math.min(MAX_RETAINED_BYTES_PER_SLOT, RETAINED_BYTES_PER_RING / ringSize));
        this.retained = new byte[0];
        this.bytes = retained;
    }

    /**
     * Sets this slot to a message of a record.
     *
     * @param record        the record holding the message
     * @param messageOffset where the message starts in it
     * @param messageEnd    where it ends
     * @param keyHash       the hash of its key
     * @param copyBytes     whether the handler needs the bytes (false for a message it will pass over)
     */
    void set(byte[] record, int messageOffset, int messageEnd, int keyHash, boolean copyBytes, long sequence,
             long id, long releasedAtMillis, boolean redelivered, String target) {
        this.target = target;
        this.keyHash = keyHash;
        this.sequence = sequence;
        this.originalSequence = sequence;
        this.id = id;
        this.releasedAtMillis = releasedAtMillis;
        this.redelivered = redelivered;
        if (copyBytes) {
            int length = messageEnd - messageOffset;
            System.arraycopy(record, messageOffset, buffer(length), 0, length);
        }
    }

    private byte[] buffer(int length) {
        if (length <= retained.length) {
            bytes = retained;
        } else if (length <= retainedMax) {
            retained = new byte[Math.min(retainedMax, Math.max(length, retained.length * 2))];
            bytes = retained;
        } else {
            bytes = new byte[length];
        }
        return bytes;
    }

    /** Points a handler thread's view at this slot's message. */
    void wrapInto(MessageView view) {
        view.wrap(bytes, 0, sequence, originalSequence, id, releasedAtMillis, redelivered);
    }

    /** @return whether the message's key falls in {@code partition} of a handler with {@code partitions} */
    static boolean inPartition(int keyHash, int partition, int partitions) {
        return partitions == 1 || JournalRecordDescriptor.partitionOf(keyHash, partitions) == partition;
    }
}
