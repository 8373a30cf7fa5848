package io.denormq;

/**
 * Turns a value into the bytes of a message payload and back. Implementations must be thread-safe;
 * {@link Codecs} has the built-in ones.
 *
 * @param <T> the type of value
 */
public interface Codec<T> {
    /**
     * @param value the value to encode, never null
     * @return the payload bytes; the queue copies them, so the array may be reused afterwards
     */
    byte[] encode(T value);

    /**
     * @param bytes  an array holding the payload; read only {@code length} bytes from {@code offset}
     * @param offset where the payload starts
     * @param length the payload's length in bytes
     * @return the decoded value
     */
    T decode(byte[] bytes, int offset, int length);
}
