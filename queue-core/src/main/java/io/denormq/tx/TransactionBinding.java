package io.denormq.tx;

import java.util.function.Supplier;

/**
 * How a queue finds the caller's current transaction and joins it. This is the SPI behind
 * {@link io.denormq.DenormQueueBuilder#transactions(TransactionBinding)}: queue-core ships
 * {@link ProgrammaticTransactions} for hand-managed JDBC transactions; the tx-integration module
 * ships bindings for Spring and JTA.
 *
 * <p>Implementations must be thread-safe. {@link #join} is on the publish path and should not
 * allocate once a transaction has been joined.
 */
public interface TransactionBinding {
    /**
     * Returns the participant already joined to the caller's current transaction under
     * {@code key}, or, on the first call in that transaction, creates one with {@code factory},
     * binds it to the transaction under {@code key} and arranges for its callbacks to be invoked.
     *
     * @param key     identifies the queue, compared by identity: two queues in one transaction get
     *                separate participants. It is a denormq-internal object that can be used as is as the
     *                key of a transaction resource (it collides with no data source or framework key)
     * @param factory creates the participant on the first publish of a transaction
     * @return the transaction's participant, or null if the caller is not inside a transaction that
     *         can be joined (the queue then releases the message at once)
     */
    TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory);
}
