package io.denormq;

/**
 * How an {@link AsyncMessageHandler} tells its queue what became of the messages it accepted: from
 * {@link HandlerContext#acknowledgements()}, one per handler partition. Every method may be called
 * from any thread, at any time after the queue started, and is idempotent for a message already
 * acknowledged.
 *
 * <p>After the queue {@link DenormQueue#close() closed} (or halted the handler), calls are accepted
 * and ignored: the messages they name are delivered again on the next start.
 */
public interface Acknowledgements {
    /**
     * The handler is done with this message. The cursor moves past it once every message delivered
     * before it is acknowledged too.
     *
     * @param sequence the {@link Message#sequence()} of a message delivered to this handler partition
     * @throws IllegalArgumentException if no message of that sequence was delivered to this handler
     *                                  partition (one acknowledged before is accepted and ignored)
     */
    void acknowledge(long sequence);

    /**
     * The handler is done with this message and with every message delivered to it before this one
     * (for a handler whose work completes in order).
     *
     * @param sequence the {@link Message#sequence()} of a message delivered to this handler partition
     * @throws IllegalArgumentException if that sequence is after the last message delivered to this handler partition
     */
    void acknowledgeUpTo(long sequence);

    /**
     * Processing this message failed: the queue applies its {@link RetryPolicy} (deliver again after
     * the backoff, then dead-letter after the last attempt), as if {@code onMessage} had thrown. The
     * cursor stays before the message until it is acknowledged or dead-lettered.
     *
     * @param message the message, or a copy of it with its id, sequence, topic, key, payload and
     *                release time; it is copied, so it may be reused afterwards
     * @param failure why it failed, kept as the dead letter's error if it comes to that
     * @throws IllegalArgumentException if the message is not one delivered to this handler partition
     *                                  and not yet acknowledged
     */
    void fail(Message message, Throwable failure);
}
