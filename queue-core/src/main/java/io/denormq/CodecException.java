package io.denormq;

/**
 * A {@link PayloadCodec} cannot encode a value or decode a payload into the type asked for. When
 * publishing, the queue reports it as the cause of an {@link InvalidMessageException} and
 * publishes nothing; when a handler reads {@link Message#payload(Class)}, it fails that delivery
 * like any exception of the handler (retried, then dead-lettered under the {@link RetryPolicy}).
 */
public final class CodecException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be encoded or decoded, and what to do
     * @param cause   the codec's own failure
     */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
