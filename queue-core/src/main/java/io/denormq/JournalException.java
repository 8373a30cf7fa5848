package io.denormq;

/**
 * The journal could not be opened, read or written. When it is thrown from a transaction's
 * before-commit phase (the {@link Durability#WRITE_AHEAD} append) it rolls that transaction back,
 * so a transaction never commits while its messages are lost.
 */
public class JournalException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which journal file or index, what failed and what to do
     */
    public JournalException(String message) {
        super(message);
    }

    /**
     * @param message which journal file or index, what failed and what to do
     * @param cause   the underlying I/O failure
     */
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
