package io.denormq.dispatch;

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

    void set(byte[] batch, int messageOffset, long sequence, long id, long releasedAtMillis, boolean redelivered) {
        this.batch = batch;
        this.messageOffset = messageOffset;
        this.sequence = sequence;
        this.id = id;
        this.releasedAtMillis = releasedAtMillis;
        this.redelivered = redelivered;
    }
}
