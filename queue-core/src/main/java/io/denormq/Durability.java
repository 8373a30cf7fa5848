package io.denormq;

/**
 * When a transaction's messages are written to the journal, relative to the database commit.
 */
public enum Durability {
    /**
     * The default. The transaction's batch is journaled in its before-commit phase; if that append
     * fails the exception rolls the transaction back, so a transaction can never commit while its
     * messages are lost. After completion a small release (or rollback) record is appended; a batch
     * whose outcome was never written (a crash in between) is released on the next start, so its
     * messages may be delivered even if the transaction in fact rolled back.
     */
    WRITE_AHEAD,

    /**
     * The batch is journaled only after the commit, as one released record. Cheapest, but a crash
     * between the database commit and the append, or an append failure after the commit, loses that
     * transaction's messages. Choose it only if you can accept that window.
     */
    AFTER_COMMIT
}
