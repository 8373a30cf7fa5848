package io.denormq;

/**
 * A message passed to {@link DenormQueue#publish} is malformed: a null or empty topic, a null
 * payload or value, a value the queue's {@link PayloadCodec} cannot encode, or a payload or
 * transaction larger than configured. Nothing is written and the
 * caller's transaction is untouched: the caller decides whether to roll it back.
 */
public final class InvalidMessageException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the message and the limit it broke
     */
    public InvalidMessageException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the message
     * @param cause   why, for example the codec's {@link CodecException}
     */
    public InvalidMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
