package io.denormq.internal.dispatch;

import io.denormq.Codec;
import io.denormq.Headers;
import io.denormq.Message;
import io.denormq.PayloadCodec;
import io.denormq.internal.journal.MessageView;
import io.denormq.internal.journal.TypedPayloads;

/**
 * A message whose bytes are kept past {@link io.denormq.MessageHandler#onMessage}: what
 * {@link Message#copy()} returns, and what an asynchronous handler's failed message is kept as
 * until it is delivered again. Immutable: {@link #payload()} copies out, as the constructor's
 * callers copy in. Only copies allocate it, so it stays off the dispatch path.
 *
 * <p>Public only for {@code io.denormq}'s {@link Message#copy()}: not API.
 *
 * @param id               {@link Message#id()}
 * @param sequence         {@link Message#sequence()}
 * @param originalSequence {@link Message#originalSequence()}
 * @param topic            {@link Message#topic()}
 * @param key              {@link Message#key()}, or null
 * @param payloadBytes     the payload, owned by this copy
 * @param releasedAtMillis {@link Message#releasedAtMillis()}
 * @param redelivered      {@link Message#redelivered()}
 * @param codec            the queue's default codec, for {@link #payload(Class)}; null if none
 * @param headers          {@link Message#headers()}
 */
public record MessageCopy(long id, long sequence, long originalSequence, String topic, String key, byte[] payloadBytes,
                          long releasedAtMillis, boolean redelivered, PayloadCodec codec, Headers headers)
        implements Message {

    /**
     * @param message     any message (a view valid only for now, or a copy)
     * @param redelivered what {@link #redelivered()} says
     * @return {@code message} itself if it is a copy that says so already, else a new copy that stays valid
     *         (and decodes {@link #payload(Class)} with the codec of the queue that delivered {@code message})
     */
    public static MessageCopy of(Message message, boolean redelivered) {
        if (message instanceof MessageCopy copy && copy.redelivered == redelivered) {
            return copy;
        }
        return new MessageCopy(message.id(), message.sequence(), message.originalSequence(), message.topic(),
                message.key(), message.payload(), message.releasedAtMillis(), redelivered, codecOf(message),
                message.headers());
    }

    private static PayloadCodec codecOf(Message message) {
        if (message instanceof MessageView view) {
            return view.codec();
        }
        return message instanceof MessageCopy copy ? copy.codec : null;
    }

    @Override
    public byte[] payload() {
        return payloadBytes.clone();
    }

    @Override
    public int payloadLength() {
        return payloadBytes.length;
    }

    @Override
    public <T> T payload(Codec<T> codec) {
        return codec.decode(payloadBytes, 0, payloadBytes.length);
    }

    @Override
    public <T> T payload(Class<T> type) {
        return TypedPayloads.decode(codec, payloadBytes, 0, payloadBytes.length, type);
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    /** @return this message: it is already a copy */
    @Override
    public Message copy() {
        return this;
    }

    @Override
    public String toString() {
        return "Message[id=" + Long.toHexString(id) + ", sequence=" + Long.toHexString(sequence) + ", topic=" + topic
                + ", key=" + key + "]";
    }
}
