package io.denormq;

/**
 * The queue was closed. Thrown by {@link DenormQueue#publish} after {@link DenormQueue#close()},
 * and from a transaction's before-commit phase when the queue closed while the transaction was
 * open, which rolls that transaction back: its messages are never lost silently.
 */
public final class QueueClosedException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which queue was closed and what the caller was doing
     */
    public QueueClosedException(String message) {
        super(message);
    }
}
