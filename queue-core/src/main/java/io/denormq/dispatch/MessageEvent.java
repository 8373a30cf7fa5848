package io.denormq.dispatch;

import io.denormq.journal.JournalRecordDescriptor;

/**
 * A slot of the dispatch ring: where one released message is in its batch. The batch array is
 * shared by the batch's messages and never modified after it was read from the journal.
 */
public final class MessageEvent {
    byte[] batch;
    int messageOffset;
    long sequence;
    long id;
    long releasedAtMillis;
    boolean redelivered;
    /** The only handler this event is for (a redriven dead letter), or null for every handler. */
    String target;
    /** Hash of the message's key bytes: picks the partition of a partitioned handler. */
    int keyHash;

    void set(byte[] batch, int messageOffset, long sequence, long id, long releasedAtMillis, boolean redelivered) {
        set(batch, messageOffset, sequence, id, releasedAtMillis, redelivered, null);
    }

    void set(byte[] batch, int messageOffset, long sequence, long id, long releasedAtMillis, boolean redelivered,
             String target) {
        this.target = target;
        this.keyHash = JournalRecordDescriptor.keyHash(batch, messageOffset);
        this.batch = batch;
        this.messageOffset = messageOffset;
        this.sequence = sequence;
        this.id = id;
        this.releasedAtMillis = releasedAtMillis;
        this.redelivered = redelivered;
    }
}
