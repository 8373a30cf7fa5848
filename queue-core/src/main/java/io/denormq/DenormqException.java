package io.denormq;

/**
 * The root of every exception denormq throws. All are unchecked: the conditions they report are
 * either misuse (fix the calling code or the configuration) or a journal that cannot be written
 * (the transaction that triggered it rolls back, so nothing committed is lost).
 *
 * <p>Messages say what went wrong, with which file, handler or journal index, and what to do.
 */
public class DenormqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what to do about it
     */
    public DenormqException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what to do about it
     * @param cause   the underlying failure
     */
    public DenormqException(String message, Throwable cause) {
        super(message, cause);
    }
}
