package io.denormq;

/** What {@link Message#copy()} returns: every field kept, the payload copied in and out. */
record CopiedMessage(long id, long sequence, long originalSequence, String topic, String key, byte[] payloadBytes,
                     long releasedAtMillis, boolean redelivered) implements Message {
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
    public Message copy() {
        return this;
    }

    @Override
    public String toString() {
        return "Message[id=" + Long.toHexString(id) + ", sequence=" + Long.toHexString(sequence) + ", topic=" + topic
                + ", key=" + key + "]";
    }
}
