package io.denormq.tx.applied;

import io.denormq.Codec;
import io.denormq.Message;

/** A message kept beyond its delivery call: a batch may have to apply it again, alone. */
record CopiedMessage(long id, long sequence, String topic, String key, byte[] payload, boolean redelivered,
                     long releasedAtMillis) implements Message {

    static CopiedMessage of(Message message) {
        return message instanceof CopiedMessage copy ? copy
                : new CopiedMessage(message.id(), message.sequence(), message.topic(), message.key(),
                        message.payload(), message.redelivered(), message.releasedAtMillis());
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public int payloadLength() {
        return payload.length;
    }

    @Override
    public <T> T payload(Codec<T> codec) {
        return codec.decode(payload, 0, payload.length);
    }
}
