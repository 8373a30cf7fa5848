package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.denormq.Codec;
import io.denormq.Headers;
import io.denormq.Message;
import io.denormq.PayloadCodec;

/**
 * A {@link Message} over a message's bytes in its batch, reused for every delivery on one handler
 * thread. Fields are decoded on first use; the topic's string is the same instance for every
 * message of that topic (for the first 16 topics seen), so routing by topic allocates nothing.
 */
public final class MessageView implements Message {
    private static final int KNOWN_TOPICS = 16;
    private byte[] batch;
    private long id;
    private long sequence;
    private long originalSequence;
    private long releasedAtMillis;
    private boolean redelivered;
    private int topicOffset;
    private int topicLength;
    private int keyOffset;
    private int keyLength;
    private int payloadOffset;
    private int payloadLength;
    /** Where the header block's entries start, or -1 if the message has none. */
    private int headersOffset;
    private int messageEnd;
    private String topic;
    /** Topics decoded on this thread: an application has few, and a handler that routes by topic should not allocate. */
    private final byte[][] knownTopicBytes = new byte[KNOWN_TOPICS][];
    private final String[] knownTopics = new String[KNOWN_TOPICS];
    private int knownTopicCount;
    /** The queue's default codec, for {@link #payload(Class)}; null if it has none. */
    private final PayloadCodec codec;

    /** A view whose {@link #payload(Class)} fails: the queue has no default codec, or it is not a queue's. */
    public MessageView() {
        this(null);
    }

    /**
     * @param codec the queue's default codec, which {@link #payload(Class)} decodes with; null if none
     */
    public MessageView(PayloadCodec codec) {
        this.codec = codec;
    }

    /**
     * Points this view at a message.
     *
     * @param batch            the batch record
     * @param messageOffset    where the message starts in it
     * @param sequence         the message's sequence
     * @param id               the message's id
     * @param releasedAtMillis when its batch was released
     * @param redelivered      whether it may have been delivered before
     * @return the offset just after the message
     */
    public int wrap(byte[] batch, int messageOffset, long sequence, long id, long releasedAtMillis, boolean redelivered) {
        return wrap(batch, messageOffset, sequence, sequence, id, releasedAtMillis, redelivered);
    }

    /**
     * Points this view at a message delivered again under a newer sequence (a redrive).
     *
     * @param batch            the record holding the message
     * @param messageOffset    where the message starts in it
     * @param sequence         the delivery's sequence
     * @param originalSequence the sequence of the delivery it repeats, {@link Message#originalSequence()}
     * @param id               the message's id
     * @param releasedAtMillis when its batch was released
     * @param redelivered      whether it may have been delivered before
     * @return the offset just after the message
     */
    public int wrap(byte[] batch, int messageOffset, long sequence, long originalSequence, long id,
                    long releasedAtMillis, boolean redelivered) {
        this.batch = batch;
        this.sequence = sequence;
        this.originalSequence = originalSequence;
        this.id = id;
        this.releasedAtMillis = releasedAtMillis;
        this.redelivered = redelivered;
        topicOffset = topicOffset(batch, messageOffset);
        topicLength = topicLengthOf(batch, messageOffset);
        int keyLengthAt = keyLengthOffset(batch, messageOffset);
        keyLength = getInt(batch, keyLengthAt);
        keyOffset = keyLengthAt + LENGTH_PREFIX;
        int payloadLengthAt = payloadLengthOffset(batch, messageOffset);
        payloadLength = getInt(batch, payloadLengthAt);
        payloadOffset = payloadLengthAt + LENGTH_PREFIX;
        messageEnd = payloadOffset + payloadLength;
        if (hasHeaders(batch, messageOffset)) {
            headersOffset = messageEnd + LENGTH_PREFIX;
            messageEnd = headersOffset + getInt(batch, messageEnd);
        } else {
            headersOffset = -1;
        }
        topic = null;
        return messageEnd;
    }

    @Override
    public long originalSequence() {
        return originalSequence;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public String topic() {
        if (topic == null) {
            topic = knownTopic();
        }
        return topic;
    }

    private String knownTopic() {
        for (int i = 0; i < knownTopicCount; i++) {
            byte[] known = knownTopicBytes[i];
            if (Arrays.equals(known, 0, known.length, batch, topicOffset, topicOffset + topicLength)) {
                return knownTopics[i];
            }
        }
        String decoded = new String(batch, topicOffset, topicLength, StandardCharsets.UTF_8);
        if (knownTopicCount < KNOWN_TOPICS) {
            knownTopicBytes[knownTopicCount] = Arrays.copyOfRange(batch, topicOffset, topicOffset + topicLength);
            knownTopics[knownTopicCount++] = decoded;
        }
        return decoded;
    }

    @Override
    public String key() {
        return keyLength == NULL_KEY_LENGTH ? null : new String(batch, keyOffset, keyLength, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] payload() {
        return Arrays.copyOfRange(batch, payloadOffset, payloadOffset + payloadLength);
    }

    @Override
    public int payloadLength() {
        return payloadLength;
    }

    @Override
    public <T> T payload(Codec<T> codec) {
        return codec.decode(batch, payloadOffset, payloadLength);
    }

    @Override
    public <T> T payload(Class<T> type) {
        return TypedPayloads.decode(codec, batch, payloadOffset, payloadLength, type);
    }

    /**
     * Finds a header without decoding the others: an ASCII name is compared in place, so a handler
     * that reads one header allocates only its value.
     */
    @Override
    public String header(String name) {
        if (headersOffset < 0 || name == null) {
            return null;
        }
        for (int at = headersOffset; at < messageEnd; ) {
            int nameLength = getInt(batch, at);
            int valueAt = at + LENGTH_PREFIX + nameLength;
            int valueLength = getInt(batch, valueAt);
            if (nameEquals(name, at + LENGTH_PREFIX, nameLength)) {
                return new String(batch, valueAt + LENGTH_PREFIX, valueLength, StandardCharsets.UTF_8);
            }
            at = valueAt + LENGTH_PREFIX + valueLength;
        }
        return null;
    }

    private boolean nameEquals(String name, int offset, int length) {
        int chars = name.length();
        for (int i = 0; i < chars; i++) {
            if (name.charAt(i) >= 0x80) {
                byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                return Arrays.equals(utf8, 0, utf8.length, batch, offset, offset + length);
            }
        }
        if (chars != length) {
            return false;
        }
        for (int i = 0; i < chars; i++) {
            if (batch[offset + i] != (byte) name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Headers headers() {
        Headers headers = Headers.empty();
        if (headersOffset < 0) {
            return headers;
        }
        for (int at = headersOffset; at < messageEnd; ) {
            int nameLength = getInt(batch, at);
            int valueAt = at + LENGTH_PREFIX + nameLength;
            int valueLength = getInt(batch, valueAt);
            headers = headers.with(new String(batch, at + LENGTH_PREFIX, nameLength, StandardCharsets.UTF_8),
                    new String(batch, valueAt + LENGTH_PREFIX, valueLength, StandardCharsets.UTF_8));
            at = valueAt + LENGTH_PREFIX + valueLength;
        }
        return headers;
    }

    /** @return whether the message carries a header block (a record holding it must be version 2) */
    public boolean hasHeaderBlock() {
        return headersOffset >= 0;
    }

    /** @return the codec {@link #payload(Class)} decodes with, or null */
    public PayloadCodec codec() {
        return codec;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public long releasedAtMillis() {
        return releasedAtMillis;
    }

    /** @return the batch array this view reads */
    public byte[] batch() {
        return batch;
    }

    /** @return where the message's bytes start in the batch */
    public int messageOffset() {
        return topicOffset - LENGTH_PREFIX;
    }

    /** @return where the message's bytes end in the batch */
    public int messageEnd() {
        return messageEnd;
    }

    @Override
    public String toString() {
        return "Message[id=" + Long.toHexString(id) + ", sequence=" + Long.toHexString(sequence) + ", topic=" + topic()
                + ", key=" + key() + ", payloadBytes=" + payloadLength + (redelivered ? ", redelivered" : "") + "]";
    }
}
