package io.denormq.tx;

/**
 * What the queue joins to a transaction: the transaction-local batch of messages, with the two
 * callbacks a {@link TransactionBinding} must invoke.
 *
 * <p>A binding calls {@link #beforeCommit()} once, after the application's work and before the
 * resource managers commit (or prepare), and {@link #afterCompletion(TransactionOutcome)} exactly
 * once when the transaction has completed, on every path. It must not call
 * {@code afterCompletion} before the resource managers have finished their commit: that is what
 * keeps messages from reaching a handler before their transaction's writes are visible.
 */
public interface TransactionParticipant {
    /**
     * Journals the batch when the queue is in {@code WRITE_AHEAD} mode. If this throws, the binding
     * must roll the transaction back (and still call {@link #afterCompletion}).
     *
     * @throws io.denormq.JournalException if the batch could not be journaled
     */
    void beforeCommit();

    /**
     * Releases or discards the batch. Never throws: failures are logged.
     *
     * @param outcome how the transaction ended
     */
    void afterCompletion(TransactionOutcome outcome);
}
