package io.denormq.recovery.demo;

import io.denormq.Codec;
import io.denormq.Message;

/** A message as a handler would receive it, for testing a handler on its own. */
record StubMessage(String key, long sequence, OrderPlaced order) implements Message {
    @Override
    public long id() {
        return sequence;
    }

    @Override
    public String topic() {
        return OrderPlaced.TOPIC;
    }

    @Override
    public byte[] payload() {
        return OrderPlaced.CODEC.encode(order);
    }

    @Override
    public int payloadLength() {
        return payload().length;
    }

    @Override
    public <T> T payload(Codec<T> codec) {
        byte[] bytes = payload();
        return codec.decode(bytes, 0, bytes.length);
    }

    @Override
    public boolean redelivered() {
        return true;
    }

    @Override
    public long releasedAtMillis() {
        return 0;
    }
}
