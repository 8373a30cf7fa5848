package io.denormq;

/**
 * Turns any value into the bytes of a message payload and back, given the type to read: the queue's
 * default codec, set with {@link DenormQueueBuilder#codec(PayloadCodec)} and used by
 * {@link DenormQueue#publish(String, String, Object)} and {@link Message#payload(Class)}. Unlike a
 * {@link Codec}, which serves one type, one {@code PayloadCodec} serves every event type of an
 * application. {@code io.denormq.json} has two on Jackson.
 *
 * <p>Implementations must be thread-safe: publishing threads and every handler thread call one
 * instance at once. They run on the publishing thread and on handler threads, never on the journal's
 * threads, so a slow codec slows its caller only.
 */
public interface PayloadCodec {
    /**
     * Encodes a value.
     *
     * @param value the value, never null (the queue refuses a null value before calling this)
     * @return the payload bytes, not null; the queue copies them, so the array may be reused afterwards
     * @throws CodecException if the value cannot be encoded (the queue then publishes nothing)
     */
    byte[] encode(Object value);

    /**
     * Decodes a payload in place: reads only {@code length} bytes from {@code offset}, never writes
     * the array and keeps no reference to it (a handler's array is reused for the next message).
     *
     * @param bytes  an array holding the payload
     * @param offset where the payload starts
     * @param length the payload's length in bytes
     * @param type   the type to read
     * @param <T>    the type to read
     * @return the decoded value
     * @throws CodecException if the bytes are not a {@code type}
     */
    <T> T decode(byte[] bytes, int offset, int length, Class<T> type);
}
