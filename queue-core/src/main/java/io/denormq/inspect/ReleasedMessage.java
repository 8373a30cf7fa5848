package io.denormq.inspect;

import java.util.Arrays;
import java.util.Objects;

import io.denormq.Headers;

/**
 * A released message as the journal holds it: what every handler receives (or received) at
 * {@link #sequence()}. An immutable copy; its payload is copied in and out.
 *
 * @param sequence         the message's release sequence, as {@link io.denormq.Message#sequence()}
 * @param id               the message's id, as {@link io.denormq.Message#id()}
 * @param topic            its topic
 * @param key              its key, or null
 * @param payload          its payload
 * @param releasedAtMillis when its batch was released (epoch milliseconds), as {@link io.denormq.Message#releasedAtMillis()}
 * @param headers          its headers, as {@link io.denormq.Message#headers()} (empty when it has none)
 */
public record ReleasedMessage(long sequence, long id, String topic, String key, byte[] payload,
                              long releasedAtMillis, Headers headers) {
    /**
     * @param sequence         the release sequence
     * @param id               the id
     * @param topic            the topic
     * @param key              the key, or null
     * @param payload          the payload, copied
     * @param releasedAtMillis when it was released
     * @param headers          its headers; null for none
     */
    public ReleasedMessage {
        Objects.requireNonNull(topic, "topic");
        payload = Objects.requireNonNull(payload, "payload").clone();
        headers = headers == null ? Headers.empty() : headers;
    }

    /**
     * A message without headers.
     *
     * @param sequence         the release sequence
     * @param id               the id
     * @param topic            the topic
     * @param key              the key, or null
     * @param payload          the payload, copied
     * @param releasedAtMillis when it was released
     */
    public ReleasedMessage(long sequence, long id, String topic, String key, byte[] payload, long releasedAtMillis) {
        this(sequence, id, topic, key, payload, releasedAtMillis, Headers.empty());
    }

    /** @return a copy of the payload */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReleasedMessage other && sequence == other.sequence && id == other.id
                && releasedAtMillis == other.releasedAtMillis && topic.equals(other.topic)
                && Objects.equals(key, other.key) && Arrays.equals(payload, other.payload)
                && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "ReleasedMessage[sequence=" + Long.toHexString(sequence) + ", id=" + Long.toHexString(id) + ", topic="
                + topic + ", key=" + key + ", payloadBytes=" + payload.length
                + (headers.isEmpty() ? "" : ", headers=" + headers) + "]";
    }
}
