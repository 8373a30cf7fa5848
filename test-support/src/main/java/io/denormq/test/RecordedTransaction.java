package io.denormq.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.denormq.tx.TransactionOutcome;

/**
 * What one transaction published through a recorded queue, and how it ended. A publish outside any
 * transaction is recorded as a transaction of its own that is {@link #transactional() not
 * transactional} and released at once.
 *
 * <p>Thread-safe: the publishing thread adds messages, the thread that completes the transaction
 * (another one under JTA) sets the outcome, and the test reads.
 */
public final class RecordedTransaction {
    private final boolean transactional;
    private final List<PublishedMessage> messages = new ArrayList<>();
    private TransactionOutcome outcome;
    private RuntimeException commitFailure;

    RecordedTransaction(boolean transactional) {
        this.transactional = transactional;
    }

    /** @return false for a publish made outside any transaction (released at once) */
    public boolean transactional() {
        return transactional;
    }

    /** @return the messages published in the transaction, in publish order */
    public synchronized List<PublishedMessage> messages() {
        return List.copyOf(messages);
    }

    /**
     * @return how the transaction ended as its transaction manager reported it; empty while it is still
     *         open, or when the queue was not built with the recorder's binding (the recorder then cannot
     *         know). A publish outside a transaction reports {@link TransactionOutcome#COMMITTED}.
     */
    public synchronized Optional<TransactionOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    /**
     * @return the exception with which the queue's before-commit step failed (the journal could not take
     *         the batch, so the transaction was rolled back), if it did
     */
    public synchronized Optional<RuntimeException> commitFailure() {
        return Optional.ofNullable(commitFailure);
    }

    /**
     * @return whether the queue releases its messages to the handlers: it committed, or its outcome is
     *         unknown (the queue then releases: see {@link TransactionOutcome#UNKNOWN})
     */
    public synchronized boolean released() {
        return outcome == TransactionOutcome.COMMITTED || outcome == TransactionOutcome.UNKNOWN;
    }

    /**
     * Asserts that the transaction rolled back, so that none of its messages reaches a handler.
     *
     * @return this transaction
     * @throws AssertionError naming the outcome and the messages if it did not roll back
     */
    public RecordedTransaction assertRolledBack() {
        return assertOutcome(TransactionOutcome.ROLLED_BACK, "so that it publishes nothing");
    }

    /**
     * Asserts that the transaction committed, so that its messages reach the handlers.
     *
     * @return this transaction
     * @throws AssertionError naming the outcome and the messages if it did not commit
     */
    public RecordedTransaction assertCommitted() {
        return assertOutcome(TransactionOutcome.COMMITTED, "so that its messages are released");
    }

    private synchronized RecordedTransaction assertOutcome(TransactionOutcome expected, String why) {
        if (outcome != expected) {
            throw new AssertionError("Expected the transaction to have " + (expected == TransactionOutcome.COMMITTED
                    ? "committed" : "rolled back") + " " + why + ", but " + this);
        }
        return this;
    }

    synchronized void add(PublishedMessage message) {
        messages.add(message);
    }

    synchronized void beforeCommitFailed(RuntimeException failure) {
        commitFailure = failure;
    }

    synchronized void completed(TransactionOutcome completion) {
        outcome = completion;
    }

    @Override
    public synchronized String toString() {
        String state = !transactional ? "it was published outside a transaction"
                : outcome == null ? "it is still open"
                : "its outcome is " + outcome + (commitFailure == null ? "" : " (before commit: " + commitFailure + ")");
        return state + "; it published " + messages.size() + " message(s)" + (messages.isEmpty() ? "" : ": " + messages);
    }
}
