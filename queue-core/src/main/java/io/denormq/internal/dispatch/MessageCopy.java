package io.denormq.internal.dispatch;

import io.denormq.Codec;
import io.denormq.Message;

/**
 * A message kept beyond its delivery: what an asynchronous handler reported as failed, to be
 * delivered again. Only failures make one, so the copy's allocation is off the hot path.
 */
record MessageCopy(long id, long sequence, long originalSequence, String topic, String key, byte[] payloadBytes,
                   long releasedAtMillis, boolean redelivered) implements Message {

    /**
     * @param message     any message (a view valid only for now, or the handler's own copy)
     * @param redelivered what {@link #redelivered()} says
     * @return a copy that stays valid
     */
    static MessageCopy of(Message message, boolean redelivered) {
        if (message instanceof MessageCopy copy && copy.redelivered == redelivered) {
            return copy;
        }
        return new MessageCopy(message.id(), message.sequence(), message.originalSequence(), message.topic(),
                message.key(), message.payload(), message.releasedAtMillis(), redelivered);
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
    public String toString() {
        return "Message[id=" + Long.toHexString(id) + ", sequence=" + Long.toHexString(sequence) + ", topic=" + topic
                + ", key=" + key + "]";
    }
}
