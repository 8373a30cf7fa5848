package io.denormq.tx.applied;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.ConfigurationException;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.Partitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each message exactly once to a database read model: the user's code and the handler's
 * applied position (see {@link AppliedPositionTable}) commit in one database transaction, and a
 * message at or below the applied position — a re-delivery after a crash — is skipped and counted.
 * The effects are exactly once when everything the user's code changes lives in that same
 * database; side effects elsewhere (e-mail, HTTP, another database) stay at least once.
 *
 * <p><b>Batching.</b> With {@code batchSize > 1}, up to that many consecutive messages share one
 * transaction, which commits when it is full or when the handler has caught up
 * ({@link MessageHandler#onCaughtUp()}, before the queue acknowledges anything). If a message
 * fails, the transaction is rolled back, the messages before it are applied again one per
 * transaction, and the failure is rethrown: the queue retries the failing message alone, and
 * dead-letters it after the last attempt, as for any handler.
 *
 * <p><b>Rebuilds.</b> When the queue {@link io.denormq.DenormQueueBuilder#rebuild rebuilds} the
 * handler, the applied position is reset to the rebuild's start in the same transaction as the
 * user's own reset ({@code onRebuild}), which should empty the read model. The replay applies a
 * message that was dead-lettered and then redriven once, at its original place: the queue does not
 * deliver the redrive in a rebuild that replayed the failed message.
 *
 * <p><b>Partitions.</b> A partitioned handler gets one adapter per partition, each with its own
 * position row. When the partition count changes, the queue resumes every partition from the
 * lowest old cursor; each adapter then also skips the messages that the old partition of their key
 * had applied (the old rows are kept for that), so the effects stay exactly once.
 *
 * <p>Runs on the handler's single thread, like any handler. Subclasses bind it to a way of running
 * transactions: {@link JdbcTransactionalHandler} for plain JDBC,
 * {@code io.denormq.tx.spring.SpringTransactionalHandler} for Spring.
 */
public abstract class TransactionalHandler implements MessageHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalHandler.class);

    private final String positionKey;
    private final AppliedPositionTable.Key key;
    private final AppliedPositionTable table;
    private final int batchSize;
    private final List<Message> inTransaction = new ArrayList<>();
    private final List<Message> uncommitted = new ArrayList<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong deduplicated = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    /** Positions under earlier partition counts: count -> position per partition; null until first read. */
    private Map<Integer, long[]> olderGenerations;
    private Connection transaction;
    private int appliedInTransaction;
    private long position;
    private boolean positionMoved;

    /**
     * @param settings the position key (the handler's name in the queue, usually), the table, the
     *                 batch size and the partition
     */
    protected TransactionalHandler(TransactionalHandlerBuilder<?> settings) {
        this(settings.positionKey, settings.partition, settings.partitionCount, settings.table, settings.batchSize);
    }

    private TransactionalHandler(String positionKey, int partition, int partitionCount, AppliedPositionTable table,
                                 int batchSize) {
        if (positionKey == null || positionKey.isBlank() || positionKey.length() > 200) {
            throw new ConfigurationException("transactional handler: the position key must be 1 to 200 characters, "
                    + "was '" + positionKey + "'");
        }
        if (batchSize < 1) {
            throw new ConfigurationException("transactional handler '" + positionKey + "': batchSize must be at least 1, "
                    + "was " + batchSize);
        }
        if (partitionCount < 1 || partition < 0 || partition >= partitionCount) {
            throw new ConfigurationException("transactional handler '" + positionKey + "': partition " + partition
                    + " of " + partitionCount + " is out of range");
        }
        this.positionKey = positionKey;
        this.key = new AppliedPositionTable.Key(positionKey, partitionCount, partition);
        this.table = table;
        this.batchSize = batchSize;
    }

    /**
     * Starts a database transaction.
     *
     * @return the connection the transaction runs on
     * @throws Exception if the database refuses
     */
    protected abstract Connection begin() throws Exception;

    /**
     * @param connection a connection from {@link #begin()}
     * @throws Exception if the commit failed (the transaction is then rolled back)
     */
    protected abstract void commit(Connection connection) throws Exception;

    /**
     * @param connection a connection from {@link #begin()}
     * @throws Exception if the rollback failed
     */
    protected abstract void rollback(Connection connection) throws Exception;

    /**
     * Runs the user's code for one message inside the open transaction.
     *
     * @param message    the message
     * @param connection the transaction's connection
     * @throws Exception to roll the transaction back
     */
    protected abstract void apply(Message message, Connection connection) throws Exception;

    /**
     * Runs the user's reset before a rebuild inside the transaction that resets the position.
     *
     * @param afterSequence where the replay starts
     * @param connection    the transaction's connection
     * @throws Exception to refuse the rebuild
     */
    protected abstract void resetForRebuild(long afterSequence, Connection connection) throws Exception;

    @Override
    public final void onMessage(Message message) throws Exception {
        commitUncommittedAlone();
        if (transaction == null) {
            open();
        }
        if (message.sequence() <= position || appliedUnderAnOlderPartitionCount(message)) {
            deduplicated.incrementAndGet();
        } else {
            try {
                apply(message, transaction);
            } catch (Exception | Error failure) {
                abandonTransaction(failure);
                commitUncommittedAlone(); // the ones before it are fine: keep them, then retry this one alone
                throw failure;
            }
            position = message.sequence();
            positionMoved = true;
            appliedInTransaction++;
        }
        if (batchSize > 1) {
            inTransaction.add(message.copy());
        }
        if (inTransaction.size() >= batchSize || batchSize == 1) {
            commitTransaction();
        }
    }

    /**
     * After the partition count changed, the queue resumes every partition from the lowest old
     * cursor: a message the old partition of its key had applied shows in that partition's position.
     */
    private boolean appliedUnderAnOlderPartitionCount(Message message) {
        for (Map.Entry<Integer, long[]> generation : olderGenerations.entrySet()) {
            if (message.sequence() <= generation.getValue()[Partitions.of(message.key(), generation.getKey())]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public final void onCaughtUp() throws Exception {
        commitUncommittedAlone();
        if (transaction != null) {
            commitTransaction();
        }
    }

    @Override
    public final void onRebuild(long afterSequence) throws Exception {
        Connection connection = begin();
        try {
            table.read(connection, key);
            resetForRebuild(afterSequence, connection);
            table.write(connection, key, afterSequence);
            table.deleteOlderGenerations(connection, key); // the read model was emptied: they describe nothing now
            olderGenerations = Map.of();
            commit(connection);
        } catch (Exception | Error e) {
            rollbackQuietly(connection, e);
            throw e;
        }
        LOG.warn("Transactional handler '{}': applied position reset to {} for a rebuild", positionKey,
                afterSequence < 0 ? "none" : Long.toHexString(afterSequence));
    }

    private void open() throws Exception {
        transaction = begin();
        try {
            position = table.read(transaction, key);
            positionMoved = false;
            if (olderGenerations == null) {
                olderGenerations = table.olderGenerations(transaction, key);
                if (!olderGenerations.isEmpty()) {
                    LOG.info("Transactional handler '{}' partition {} of {}: skipping what the earlier partition "
                            + "count(s) {} applied", positionKey, key.partition(), key.partitionCount(),
                            olderGenerations.keySet());
                }
            }
        } catch (Exception | Error e) {
            abandonTransaction(e);
            throw e;
        }
    }

    private void commitTransaction() throws Exception {
        try {
            if (positionMoved) {
                table.write(transaction, key, position);
            }
            commit(transaction);
            transactions.incrementAndGet();
            applied.addAndGet(appliedInTransaction);
        } catch (Exception | Error failure) {
            abandonTransaction(failure);
            if (batchSize > 1) {
                commitUncommittedAlone();
            }
            throw failure;
        } finally {
            transaction = null;
            inTransaction.clear();
            appliedInTransaction = 0;
        }
    }

    /** Rolls back; the batch's earlier messages must be applied again before anything is acknowledged. */
    private void abandonTransaction(Throwable cause) {
        if (transaction != null) {
            rollbackQuietly(transaction, cause);
            transaction = null;
        }
        uncommitted.addAll(inTransaction);
        inTransaction.clear();
        appliedInTransaction = 0;
    }

    /**
     * Applies, one per transaction, the messages of a rolled-back batch that did not fail: until
     * they are committed, nothing is acknowledged (this throws from {@link #onCaughtUp()}).
     */
    private void commitUncommittedAlone() throws Exception {
        while (!uncommitted.isEmpty()) {
            Message message = uncommitted.get(0);
            Connection connection = begin();
            try {
                long current = table.read(connection, key);
                if (message.sequence() > current && !appliedUnderAnOlderPartitionCount(message)) {
                    apply(message, connection);
                    table.write(connection, key, message.sequence());
                    applied.incrementAndGet();
                }
                commit(connection);
                transactions.incrementAndGet();
            } catch (Exception | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            uncommitted.remove(0);
        }
    }

    private void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            rollback(connection);
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    /** @return the key of this handler's position row */
    public String positionKey() {
        return positionKey;
    }

    /** @return messages whose effects were committed since start */
    public long applied() {
        return applied.get();
    }

    /** @return re-deliveries skipped because their effects had already committed */
    public long deduplicated() {
        return deduplicated.get();
    }

    /** @return database transactions committed since start */
    public long transactions() {
        return transactions.get();
    }
}
