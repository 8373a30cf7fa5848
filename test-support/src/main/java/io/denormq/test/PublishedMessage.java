package io.denormq.test;

import java.nio.charset.StandardCharsets;

import io.denormq.Codec;
import io.denormq.ConfigurationException;
import io.denormq.PayloadCodec;

/**
 * A message as it was published: its topic, key and the payload bytes the queue was given (for a
 * typed publish, the bytes its codec made), read back typed. Immutable.
 */
public final class PublishedMessage {
    /** How much of a payload {@link #toString()} shows. */
    private static final int SHOWN_PAYLOAD_CHARS = 200;

    private final String topic;
    private final String key;
    private final byte[] payload;
    private final PayloadCodec codec;

    PublishedMessage(String topic, String key, byte[] payload, PayloadCodec codec) {
        this.topic = topic;
        this.key = key;
        this.payload = payload.clone();
        this.codec = codec;
    }

    /** @return the topic it was published to */
    public String topic() {
        return topic;
    }

    /** @return its key, or null */
    public String key() {
        return key;
    }

    /**
     * Decodes the payload with the queue's default codec, as a handler's
     * {@link io.denormq.Message#payload(Class)} would.
     *
     * @param type the type to read
     * @param <T>  the type to read
     * @return the decoded value
     * @throws io.denormq.CodecException if the codec cannot read the payload as a {@code type}
     * @throws ConfigurationException    if the queue has no default codec
     */
    public <T> T payload(Class<T> type) {
        return decode(codec, topic, payload, type);
    }

    /** Decodes with the queue's default codec, saying what to do when there is none. */
    static <T> T decode(PayloadCodec codec, String topic, byte[] payload, Class<T> type) {
        if (codec == null) {
            throw new ConfigurationException("the queue has no default codec, so the payload of a '" + topic
                    + "' message cannot be read as a " + type.getName() + ": give the queue one (DenormqExtension."
                    + "builder().codec(...), or a PayloadCodec bean), or use payload(Codec)");
        }
        return codec.decode(payload, 0, payload.length, type);
    }

    /**
     * Decodes the payload with a given codec: {@code payload(Codecs.bytes())} for a copy of the bytes,
     * {@code payload(Codecs.utf8())} for text.
     *
     * @param codec the codec it was published with
     * @param <T>   the decoded type
     * @return the decoded payload
     */
    public <T> T payload(Codec<T> codec) {
        return codec.decode(payload, 0, payload.length);
    }

    @Override
    public String toString() {
        return describe(topic, key, payload);
    }

    /** One line for failure messages: the payload as text, cut short (JSON payloads read well). */
    static String describe(String topic, String key, byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.length() > SHOWN_PAYLOAD_CHARS) {
            text = text.substring(0, SHOWN_PAYLOAD_CHARS) + "...";
        }
        return topic + " [key " + key + "] " + text;
    }
}
