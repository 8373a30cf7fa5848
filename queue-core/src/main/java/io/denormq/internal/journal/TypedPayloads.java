package io.denormq.internal.journal;

import io.denormq.CodecException;
import io.denormq.ConfigurationException;
import io.denormq.PayloadCodec;

/**
 * {@link io.denormq.Message#payload(Class)} for the queue's own messages: the views handlers get
 * and their copies. Public only for {@code io.denormq.internal.dispatch}: not API.
 */
public final class TypedPayloads {
    private TypedPayloads() {
    }

    /**
     * @param codec  the queue's codec, or null if none was set
     * @param bytes  holds the payload
     * @param offset where it starts
     * @param length its length
     * @param type   the type to read
     * @param <T>    the type to read
     * @return the decoded payload
     * @throws ConfigurationException if the queue has no codec
     * @throws CodecException         if the codec cannot read the payload as a {@code type}
     */
    public static <T> T decode(PayloadCodec codec, byte[] bytes, int offset, int length, Class<T> type) {
        if (codec == null) {
            throw new ConfigurationException("codec: Message.payload(Class) needs the queue's default codec, and "
                    + "none was set: set DenormQueueBuilder.codec(...) (for example io.denormq.json.Jackson2Codec."
                    + "create()), or read the bytes with payload() or payload(Codec)");
        }
        if (type == null) {
            throw new IllegalArgumentException("type must not be null: pass the class to read the payload as");
        }
        try {
            return codec.decode(bytes, offset, length, type);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("codec " + codec + " could not read a payload of " + length + " bytes as "
                    + type.getName() + ": " + e, e);
        }
    }
}
