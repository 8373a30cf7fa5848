package io.denormq.tx.spring;

import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;
import org.springframework.core.Ordered;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Drives one queue's batch through a Spring transaction: journal in {@code beforeCommit}, release or
 * discard in {@code afterCompletion}, and unbind/rebind the batch when the transaction is suspended
 * (REQUIRES_NEW) so that an inner transaction never publishes into the outer one's batch.
 */
final class ParticipantSynchronization implements TransactionSynchronization {
    private final Object key;
    private final TransactionParticipant participant;

    ParticipantSynchronization(Object key, TransactionParticipant participant) {
        this.key = key;
        this.participant = participant;
    }

    /** Journal last among synchronizations, after others (e.g. an ORM flush) may still have published. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void suspend() {
        TransactionSynchronizationManager.unbindResourceIfPossible(key);
    }

    @Override
    public void resume() {
        TransactionSynchronizationManager.bindResource(key, participant);
    }

    @Override
    public void beforeCommit(boolean readOnly) {
        participant.beforeCommit();
    }

    @Override
    public void afterCompletion(int status) {
        TransactionSynchronizationManager.unbindResourceIfPossible(key);
        participant.afterCompletion(switch (status) {
            case STATUS_COMMITTED -> TransactionOutcome.COMMITTED;
            case STATUS_ROLLED_BACK -> TransactionOutcome.ROLLED_BACK;
            default -> TransactionOutcome.UNKNOWN;
        });
    }
}
