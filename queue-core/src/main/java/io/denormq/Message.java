package io.denormq;

import io.denormq.internal.dispatch.MessageCopy;

/**
 * A released message, as a {@link MessageHandler} sees it.
 *
 * <p>A {@code Message} given to {@link MessageHandler#onMessage(Message)} is a view over the
 * journal's bytes that is reused for the next message: it is valid only until {@code onMessage}
 * returns. Copy what you need to keep ({@link #payload()} returns a copy).
 */
public interface Message {
    /**
     * An identity stable across re-deliveries and unique within the journal: it is derived from
     * where the message's transaction was journaled and the message's place in that transaction.
     *
     * @return the message id
     */
    long id();

    /**
     * A number that increases in release order (the order in which transactions completed), and is
     * the same when the message is delivered again. A handler can keep the last applied sequence
     * per row and skip anything at or below it.
     *
     * @return the release sequence
     */
    long sequence();

    /** @return the topic given to {@link DenormQueue#publish} */
    String topic();

    /** @return the key given to {@link DenormQueue#publish}, or null if none was given */
    String key();

    /** @return a copy of the payload */
    byte[] payload();

    /** @return the payload's length in bytes, without copying it */
    int payloadLength();

    /**
     * Decodes the payload without copying it first.
     *
     * @param codec the codec that encoded it
     * @param <T>   the decoded type
     * @return the decoded payload
     */
    <T> T payload(Codec<T> codec);

    /**
     * Decodes the payload without copying it first, with the queue's default codec
     * ({@link DenormQueueBuilder#codec(PayloadCodec)}): the counterpart of
     * {@link DenormQueue#publish(String, String, Object)}. Every message the queue hands a handler
     * supports it, and so do their {@link #copy() copies}. Decoding allocates what the codec
     * allocates; the payload bytes themselves are not copied.
     *
     * <pre>{@code
     * OrderPlaced order = message.payload(OrderPlaced.class);
     * }</pre>
     *
     * @param type the type to read the payload as (the codec decides which types it can read)
     * @param <T>  the decoded type
     * @return the decoded payload
     * @throws CodecException                 if the codec cannot read the payload as a {@code type}
     * @throws ConfigurationException         if the queue has no default codec
     * @throws UnsupportedOperationException  if this {@code Message} was not made by a queue (the
     *                                        default, for implementations outside denormq)
     */
    default <T> T payload(Class<T> type) {
        throw new UnsupportedOperationException(getClass().getName() + " does not know a codec: payload(Class) "
                + "works on the messages a queue delivers and their copies; use payload(Codec) here");
    }

    /**
     * One of the headers the message was published with ({@link DenormQueue#publish(String, String,
     * byte[], Headers)}, or added by a {@link PublishInterceptor}); they are journaled with the
     * message, so they are the same on every re-delivery, after a restart and in a redriven dead
     * letter. Looking up a header by an ASCII name allocates only the value it returns.
     *
     * @param name the header's name (case-sensitive)
     * @return its value, or null if the message has no such header (always null for implementations
     *         outside denormq that do not override it)
     */
    default String header(String name) {
        return headers().get(name);
    }

    /**
     * Every header the message was published with, decoded (allocates; {@link #header(String)}
     * reads one without decoding the rest).
     *
     * @return the headers, {@link Headers#empty()} if none
     */
    default Headers headers() {
        return Headers.empty();
    }

    /**
     * Whether this message may have been delivered to this handler before: true for every message
     * released before the queue was (re)started, since the handler may have processed it without
     * its acknowledgement reaching the checkpoint file before a crash.
     *
     * @return true if this may be a re-delivery
     */
    boolean redelivered();

    /**
     * @return when the message's transaction was released, in milliseconds since the epoch; for a
     *         redriven dead letter, when the redrive was asked for. The same on every re-delivery.
     */
    long releasedAtMillis();

    /**
     * Where the message stands in release order among its key's messages. For a redriven dead letter
     * ({@link DenormQueue#redrive}) that is the sequence of the delivery that failed: the redrive
     * itself is a new delivery, with a new, higher {@link #sequence()} after everything released
     * before it, so a handler that keeps the newest value per key compares this one instead (an older
     * message redriven must not overwrite what newer ones wrote). For every other message it is
     * {@link #sequence()}.
     *
     * @return the sequence the message had before it was dead-lettered, else its sequence
     */
    default long originalSequence() {
        return sequence();
    }

    /**
     * A copy that stays valid after {@code onMessage} returned, with the same id, sequences, topic,
     * key, payload, headers, release time and redelivered flag: what an {@link AsyncMessageHandler} keeps to
     * report a failure later ({@link Acknowledgements#fail}). Allocates and copies the payload.
     *
     * @return an immutable copy of this message
     */
    default Message copy() {
        return MessageCopy.of(this, redelivered());
    }
}
