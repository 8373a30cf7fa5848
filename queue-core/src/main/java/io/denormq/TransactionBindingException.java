package io.denormq;

/**
 * The transaction manager a binding relies on failed: denormq could not find, read or join the
 * application's transaction (a JTA {@code SystemException}, say). Nothing was journaled for the call
 * that throws it; the transaction itself is in whatever state the transaction manager left it, which
 * its own logs tell. Not a journal problem: the journal and the queue are unaffected.
 */
public final class TransactionBindingException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what denormq asked the transaction manager, and what to check
     * @param cause   the transaction manager's exception
     */
    public TransactionBindingException(String message, Throwable cause) {
        super(message, cause);
    }
}
