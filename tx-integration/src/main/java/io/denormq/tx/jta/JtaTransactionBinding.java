package io.denormq.tx.jta;

import java.util.Objects;
import java.util.function.Supplier;

import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Joins {@code publish} to the caller's JTA transaction. The transaction-local batch is kept as a
 * {@link TransactionSynchronizationRegistry} resource; an interposed synchronization journals it in
 * {@code beforeCompletion} (WRITE_AHEAD: a failure there makes the transaction manager roll back)
 * and releases it in {@code afterCompletion(STATUS_COMMITTED)}, which the transaction manager calls
 * only after every resource finished its commit. A transaction whose prepare fails is rolled back
 * and its messages are discarded; a heuristic or unknown outcome releases them (they may have
 * committed).
 *
 * <pre>{@code
 * DenormQueue queue = DenormQueue.builder(dir)
 *         .transactions(new JtaTransactionBinding(synchronizationRegistry))   // e.g. from JNDI
 *         ...
 * }</pre>
 *
 * Thread-safe: the registry is per transaction.
 */
public final class JtaTransactionBinding implements TransactionBinding {
    private final TransactionSynchronizationRegistry registry;

    /**
     * @param registry the application server's or transaction manager's synchronization registry
     *                 ({@code java:comp/TransactionSynchronizationRegistry} in Jakarta EE)
     */
    public JtaTransactionBinding(TransactionSynchronizationRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * A binding for a standalone transaction manager that offers no synchronization registry. Its
     * synchronizations are registered on the transaction itself, which JTA runs before and after the
     * resources' commit just like interposed ones.
     *
     * @param transactionManager the transaction manager
     * @return the binding
     */
    public static JtaTransactionBinding of(TransactionManager transactionManager) {
        return new JtaTransactionBinding(new TransactionManagerRegistry(transactionManager));
    }

    @Override
    public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
        int status = registry.getTransactionStatus();
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            return null;
        }
        Object bound = registry.getResource(key);
        if (bound instanceof TransactionParticipant participant) {
            return participant;
        }
        TransactionParticipant participant = factory.get();
        registry.putResource(key, participant);
        registry.registerInterposedSynchronization(new ParticipantSynchronization(participant));
        return participant;
    }

    @Override
    public String toString() {
        return "JtaTransactionBinding[" + registry.getClass().getName() + "]";
    }

    private record ParticipantSynchronization(TransactionParticipant participant) implements Synchronization {
        @Override
        public void beforeCompletion() {
            participant.beforeCommit();
        }

        @Override
        public void afterCompletion(int status) {
            participant.afterCompletion(switch (status) {
                case Status.STATUS_COMMITTED -> TransactionOutcome.COMMITTED;
                case Status.STATUS_ROLLEDBACK -> TransactionOutcome.ROLLED_BACK;
                default -> TransactionOutcome.UNKNOWN;
            });
        }
    }
}
