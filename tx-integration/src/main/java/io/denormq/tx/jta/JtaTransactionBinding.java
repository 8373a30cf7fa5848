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
 * <h2>Which transaction status publishes how</h2>
 * <ul>
 *   <li>{@code STATUS_NO_TRANSACTION}: no transaction on the thread; the message is released at
 *       once.</li>
 *   <li>{@code STATUS_ACTIVE}: the message joins the transaction's batch.</li>
 *   <li>Any other status, {@code publish} throws an {@link IllegalStateException} naming the status,
 *       and the message is neither batched nor released:
 *     <ul>
 *       <li>{@code STATUS_MARKED_ROLLBACK}: the transaction can only roll back, which would discard
 *           the message; messages published before the mark are discarded with the batch.</li>
 *       <li>{@code STATUS_ROLLEDBACK}, {@code STATUS_ROLLING_BACK}: typically the transaction timed
 *           out and the transaction manager rolled it back on its reaper thread while the
 *           application thread was still associated with it. The messages already published in it
 *           are discarded with its batch. End the transaction ({@code rollback()}) and, if the
 *           messages are still wanted, redo the work in a new transaction.</li>
 *       <li>{@code STATUS_PREPARING}, {@code STATUS_PREPARED}, {@code STATUS_COMMITTING},
 *           {@code STATUS_COMMITTED}: the transaction is completing (a publish from a
 *           synchronization or resource callback); publish before {@code commit()}, or after it
 *           in a new transaction.</li>
 *       <li>{@code STATUS_UNKNOWN}: the transaction manager cannot tell.</li>
 *     </ul>
 *   </li>
 * </ul>
 * A transaction that completes on another thread (the reaper) while its own thread publishes: once
 * {@code afterCompletion} has started, {@code publish} in that transaction throws; a publish that
 * joined just before adds to the batch that the rollback discards. No message published into a
 * transaction that rolled back is released.
 *
 * <p>Thread-safe: the registry is per transaction. Costs one status read and one registry lookup per
 * {@code publish} in a transaction.
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

    /**
     * @throws IllegalStateException if the thread's transaction is not active (see the class
     *                               description)
     */
    @Override
    public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
        int status = registry.getTransactionStatus();
        if (status == Status.STATUS_NO_TRANSACTION) {
            return null;
        }
        if (status != Status.STATUS_ACTIVE) {
            throw notActive(status, null);
        }
        ParticipantSynchronization synchronization;
        try {
            synchronization = joinActive(key, factory);
        } catch (IllegalStateException e) {
            // the transaction completed on another thread since its status was read, and the registry refused
            throw notActive(registry.getTransactionStatus(), e);
        }
        if (synchronization.completing) {
            throw notActive(registry.getTransactionStatus(), null);
        }
        return synchronization.participant;
    }

    private ParticipantSynchronization joinActive(Object key, Supplier<? extends TransactionParticipant> factory) {
        if (registry.getResource(key) instanceof ParticipantSynchronization bound) {
            return bound;
        }
        ParticipantSynchronization synchronization = new ParticipantSynchronization(factory.get());
        // registered before it is bound, so that a participant found in the registry always has its callbacks;
        // if binding then fails, the synchronization completes the participant, which is still empty
        registry.registerInterposedSynchronization(synchronization);
        registry.putResource(key, synchronization);
        return synchronization;
    }

    private static IllegalStateException notActive(int status, Exception cause) {
        String name = statusName(status);
        String message = switch (status) {
            case Status.STATUS_MARKED_ROLLBACK -> "Cannot publish into a JTA transaction marked rollback-only ("
                    + name + "): it can only roll back, which would discard the message (and those published in it "
                    + "before). Roll it back and publish in a new transaction, or outside any transaction";
            case Status.STATUS_ROLLEDBACK, Status.STATUS_ROLLING_BACK -> "Cannot publish into a JTA transaction "
                    + "that is rolled back or rolling back (" + name + "), most likely because it timed out and the "
                    + "transaction manager rolled it back while this thread was still working in it. Its messages "
                    + "are discarded. End it with rollback(), and redo the work in a new transaction (or raise the "
                    + "transaction timeout)";
            case Status.STATUS_PREPARING, Status.STATUS_PREPARED, Status.STATUS_COMMITTING,
                    Status.STATUS_COMMITTED -> "Cannot publish into a JTA transaction that is completing (" + name
                    + "): publish before commit(), or after it in a new transaction or outside any transaction";
            case Status.STATUS_ACTIVE -> "Cannot publish into a JTA transaction that completed on another thread "
                    + "(timed out and rolled back by the transaction manager, most likely) while this thread was "
                    + "publishing. Its messages are discarded. End it with rollback(), and redo the work in a new "
                    + "transaction (or raise the transaction timeout)";
            default -> "Cannot publish into a JTA transaction whose status is " + name + ", perhaps timed out: "
                    + "it may not commit. End it, and publish in a new transaction or outside any transaction";
        };
        return new IllegalStateException(message, cause);
    }

    private static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_ACTIVE -> "STATUS_ACTIVE";
            case Status.STATUS_MARKED_ROLLBACK -> "STATUS_MARKED_ROLLBACK";
            case Status.STATUS_PREPARED -> "STATUS_PREPARED";
            case Status.STATUS_COMMITTED -> "STATUS_COMMITTED";
            case Status.STATUS_ROLLEDBACK -> "STATUS_ROLLEDBACK";
            case Status.STATUS_UNKNOWN -> "STATUS_UNKNOWN";
            case Status.STATUS_NO_TRANSACTION -> "STATUS_NO_TRANSACTION";
            case Status.STATUS_PREPARING -> "STATUS_PREPARING";
            case Status.STATUS_COMMITTING -> "STATUS_COMMITTING";
            case Status.STATUS_ROLLING_BACK -> "STATUS_ROLLING_BACK";
            default -> "status " + status;
        };
    }

    @Override
    public String toString() {
        return "JtaTransactionBinding[" + registry.getClass().getName() + "]";
    }

    /**
     * The participant's callbacks, bound as the transaction's resource. {@code completing} is set
     * before the participant completes, on whichever thread completes the transaction, so that a
     * publish on the transaction's own thread sees it and throws instead of adding to a batch that
     * is being discarded.
     */
    private static final class ParticipantSynchronization implements Synchronization {
        private final TransactionParticipant participant;
        private volatile boolean completing;

        ParticipantSynchronization(TransactionParticipant participant) {
            this.participant = participant;
        }

        @Override
        public void beforeCompletion() {
            participant.beforeCommit();
        }

        @Override
        public void afterCompletion(int status) {
            completing = true;
            participant.afterCompletion(switch (status) {
                case Status.STATUS_COMMITTED -> TransactionOutcome.COMMITTED;
                case Status.STATUS_ROLLEDBACK -> TransactionOutcome.ROLLED_BACK;
                default -> TransactionOutcome.UNKNOWN;
            });
        }
    }
}
