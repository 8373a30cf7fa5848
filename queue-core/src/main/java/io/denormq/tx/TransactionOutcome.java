package io.denormq.tx;

/**
 * How a transaction ended, as its transaction manager reports it to a
 * {@link TransactionParticipant}.
 */
public enum TransactionOutcome {
    /** The transaction committed: its messages are released. */
    COMMITTED,
    /** The transaction rolled back: its messages are discarded. */
    ROLLED_BACK,
    /**
     * The transaction manager cannot tell (a commit call failed half-way, a heuristic outcome). The
     * messages are released: delivering a rolled-back transaction's messages is allowed, losing a
     * committed one's is not.
     */
    UNKNOWN
}
