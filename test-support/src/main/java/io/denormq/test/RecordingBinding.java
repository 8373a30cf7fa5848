package io.denormq.test;

import java.util.function.Supplier;

import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;

/**
 * A {@link TransactionBinding} that lets another one do the work and watches it: the transaction it
 * binds is the queue's participant wrapped in one that records the outcome, and each {@link #join}
 * leaves the joined transaction's record to the publishing thread, where {@link RecordingQueue} picks
 * it up right after the publish it belongs to.
 *
 * <p>The queue accepts only the participant its factory made, so {@code join} returns the wrapped
 * participant, while the transaction manager calls the wrapper.
 */
final class RecordingBinding implements TransactionBinding {
    /** "The binding was not asked": the publish failed before joining, or the queue has another binding. */
    static final RecordedTransaction NOT_JOINED = new RecordedTransaction(false);
    /** A publish outside any transaction: the queue releases it at once. */
    static final RecordedTransaction NO_TRANSACTION = new RecordedTransaction(false);

    private final TransactionBinding delegate;
    private final DenormqRecorder recorder;
    /** The transaction the current publish on this thread joined; set by join, read by the queue. */
    private final ThreadLocal<RecordedTransaction> joined = ThreadLocal.withInitial(() -> NOT_JOINED);

    RecordingBinding(TransactionBinding delegate, DenormqRecorder recorder) {
        this.delegate = delegate;
        this.recorder = recorder;
    }

    @Override
    public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
        TransactionParticipant participant = delegate.join(key,
                () -> new RecordingParticipant(factory.get(), recorder.transactionStarted()));
        if (participant instanceof RecordingParticipant recording) {
            joined.set(recording.transaction);
            return recording.delegate;
        }
        joined.set(participant == null ? NO_TRANSACTION : NOT_JOINED);
        return participant;
    }

    /** Forgets what an earlier publish on this thread joined: called before each publish. */
    void startPublish() {
        joined.set(NOT_JOINED);
    }

    /** @return what the publish that just returned on this thread joined */
    RecordedTransaction joined() {
        RecordedTransaction transaction = joined.get();
        joined.remove();
        return transaction;
    }

    @Override
    public String toString() {
        return "recorded " + delegate;
    }

    /** The queue's participant, and the record of its transaction's outcome. */
    private static final class RecordingParticipant implements TransactionParticipant {
        private final TransactionParticipant delegate;
        private final RecordedTransaction transaction;

        RecordingParticipant(TransactionParticipant delegate, RecordedTransaction transaction) {
            this.delegate = delegate;
            this.transaction = transaction;
        }

        @Override
        public void beforeCommit() {
            try {
                delegate.beforeCommit();
            } catch (RuntimeException e) {
                transaction.beforeCommitFailed(e);
                throw e;
            }
        }

        @Override
        public void afterCompletion(TransactionOutcome outcome) {
            transaction.completed(outcome);
            delegate.afterCompletion(outcome);
        }
    }
}
