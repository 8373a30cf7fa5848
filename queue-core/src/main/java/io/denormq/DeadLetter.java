package io.denormq;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message that a handler failed to process in every attempt its {@link RetryPolicy} allowed. It
 * is recorded in the journal (the record carries the whole message), the handler's cursor moves
 * past it, and it stays listed by {@link DenormQueue#deadLetters()} until it is
 * {@linkplain DenormQueue#redrive redriven} or {@linkplain DenormQueue#discard discarded}.
 *
 * <p>Retention never deletes an unsettled dead letter: the daily journal file that holds it is kept,
 * and with it every later day (files go oldest first), however old it is. Each hourly retention run
 * that is held back this way logs one WARN naming those dead letters, so settle them: a journal whose
 * dead letters are never settled grows without bound. A redriven dead letter's day is kept until its
 * handler has processed the redrive; a discarded one's goes with the next run that finds it due.
 */
public final class DeadLetter {
    private final String handler;
    private final long messageId;
    private final long sequence;
    private final String topic;
    private final String key;
    private final byte[] payload;
    private final int attempts;
    private final String error;
    private final Instant deadLetteredAt;
    private final long journalIndex;
    private final Headers headers;
    /** The listing queue's default codec, for {@link #payload(Class)}; null if it has none or no queue listed it. */
    private final PayloadCodec codec;

    /**
     * @param handler        the handler that gave up
     * @param messageId      the message's {@link Message#id()}
     * @param sequence       the message's {@link Message#sequence()}
     * @param topic          the message's topic
     * @param key            the message's key, or null
     * @param payload        the message's payload (kept as given)
     * @param attempts       how many attempts failed
     * @param error          the last exception, as text
     * @param deadLetteredAt when the handler gave up
     * @param journalIndex   where the dead-letter record is in the journal
     */
    public DeadLetter(String handler, long messageId, long sequence, String topic, String key, byte[] payload,
                      int attempts, String error, Instant deadLetteredAt, long journalIndex) {
        this(handler, messageId, sequence, topic, key, payload, attempts, error, deadLetteredAt, journalIndex,
                Headers.empty());
    }

    /**
     * @param handler        the handler that gave up
     * @param messageId      the message's {@link Message#id()}
     * @param sequence       the message's {@link Message#sequence()}
     * @param topic          the message's topic
     * @param key            the message's key, or null
     * @param payload        the message's payload (kept as given)
     * @param attempts       how many attempts failed
     * @param error          the last exception, as text
     * @param deadLetteredAt when the handler gave up
     * @param journalIndex   where the dead-letter record is in the journal
     * @param headers        the message's {@link Message#headers()}
     */
    public DeadLetter(String handler, long messageId, long sequence, String topic, String key, byte[] payload,
                      int attempts, String error, Instant deadLetteredAt, long journalIndex, Headers headers) {
        this(handler, messageId, sequence, topic, key, payload, attempts, error, deadLetteredAt, journalIndex, headers,
                null);
    }

    private DeadLetter(String handler, long messageId, long sequence, String topic, String key, byte[] payload,
                       int attempts, String error, Instant deadLetteredAt, long journalIndex, Headers headers,
                       PayloadCodec codec) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.messageId = messageId;
        this.sequence = sequence;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = key;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.attempts = attempts;
        this.error = Objects.requireNonNull(error, "error");
        this.deadLetteredAt = Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
        this.journalIndex = journalIndex;
        this.headers = Objects.requireNonNull(headers, "headers");
        this.codec = codec;
    }

    /** @return this dead letter, reading {@link #payload(Class)} with the listing queue's codec */
    DeadLetter withCodec(PayloadCodec queueCodec) {
        return queueCodec == null ? this : new DeadLetter(handler, messageId, sequence, topic, key, payload, attempts,
                error, deadLetteredAt, journalIndex, headers, queueCodec);
    }

    /** @return the name of the handler that gave up */
    public String handler() {
        return handler;
    }

    /** @return the message's id */
    public long messageId() {
        return messageId;
    }

    /** @return the message's release sequence */
    public long sequence() {
        return sequence;
    }

    /** @return the message's topic */
    public String topic() {
        return topic;
    }

    /** @return the message's key, or null */
    public String key() {
        return key;
    }

    /** @return a copy of the message's payload */
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * @return the headers the message was published with, {@link Headers#empty()} if none; a redrive
     *         delivers the message with the same headers
     */
    public Headers headers() {
        return headers;
    }

    /** @return how many attempts failed */
    public int attempts() {
        return attempts;
    }

    /** @return the last failure: exception class, message and the top of its stack trace */
    public String error() {
        return error;
    }

    /** @return when the handler gave up */
    public Instant deadLetteredAt() {
        return deadLetteredAt;
    }

    /**
     * Reads the payload as a value of {@code type} with the default codec of the queue that listed
     * this dead letter ({@link DenormQueue#deadLetters()}), the counterpart of
     * {@link Message#payload(Class)}: to look at what a handler gave up on as the event it was.
     *
     * @param type the type to read
     * @param <T>  the type to read
     * @return the decoded payload
     * @throws ConfigurationException if the listing queue has no codec, or this dead letter was not
     *                                listed by a queue
     * @throws CodecException         if the codec cannot read the payload as a {@code type}
     */
    public <T> T payload(Class<T> type) {
        return io.denormq.internal.journal.TypedPayloads.decode(codec, payload, 0, payload.length, type);
    }

    /** @return the journal index of the dead-letter record */
    public long journalIndex() {
        return journalIndex;
    }

    @Override
    public String toString() {
        return "DeadLetter[handler=" + handler + ", messageId=" + Long.toHexString(messageId) + ", sequence="
                + Long.toHexString(sequence) + ", topic=" + topic + ", key=" + key + ", payloadBytes=" + payload.length
                + ", attempts=" + attempts + ", at=" + deadLetteredAt + ", error=" + firstLine(error) + "]";
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter other && journalIndex == other.journalIndex && handler.equals(other.handler)
                && messageId == other.messageId && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(journalIndex) * 31 + handler.hashCode();
    }
}
