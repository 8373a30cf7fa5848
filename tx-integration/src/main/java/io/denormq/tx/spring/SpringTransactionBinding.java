package io.denormq.tx.spring;

import java.util.function.Supplier;

import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionParticipant;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Joins {@code publish} to the current Spring-managed transaction ({@code @Transactional},
 * {@code TransactionTemplate}, any {@code PlatformTransactionManager}) through
 * {@link TransactionSynchronizationManager}:
 *
 * <pre>{@code
 * DenormQueue queue = DenormQueue.builder(dir).transactions(new SpringTransactionBinding()) ... .build();
 * }</pre>
 *
 * <ul>
 *   <li>The transaction's batch is journaled in {@code beforeCommit} (WRITE_AHEAD; an exception
 *       there makes Spring roll the transaction back) and released in {@code afterCompletion}, after
 *       the resource's commit has returned.</li>
 *   <li>{@code REQUIRES_NEW}: the inner transaction has its own batch, released when the inner
 *       transaction completes; the outer one's batch is suspended with it and untouched.</li>
 *   <li>{@code NESTED} (savepoints): messages published after a savepoint stay in the transaction's
 *       batch when the savepoint is rolled back, and are released if the transaction commits. The
 *       queue cannot see savepoints; handlers re-read the state they project.</li>
 *   <li>{@code setRollbackOnly} and rollbacks discard the batch; a commit whose outcome Spring
 *       reports as unknown releases it.</li>
 *   <li>Outside a transaction (no synchronization active, or {@code SUPPORTS} without a real
 *       transaction) a message is released at once.</li>
 * </ul>
 *
 * Thread-safe and stateless: one instance can serve any number of queues.
 */
public final class SpringTransactionBinding implements TransactionBinding {

    /** Creates the binding. */
    public SpringTransactionBinding() {
    }

    @Override
    public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.isActualTransactionActive()) {
            return null;
        }
        Object bound = TransactionSynchronizationManager.getResource(key);
        if (bound instanceof TransactionParticipant participant) {
            return participant;
        }
        TransactionParticipant participant = factory.get();
        TransactionSynchronizationManager.bindResource(key, participant);
        TransactionSynchronizationManager.registerSynchronization(
                new ParticipantSynchronization(key, participant));
        return participant;
    }

    @Override
    public String toString() {
        return "SpringTransactionBinding";
    }
}
