package io.denormq.tx.jta;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.denormq.JournalException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * The part of {@link TransactionSynchronizationRegistry} the binding uses, over a plain
 * {@link TransactionManager}: resources live in a map per transaction, removed when it completes.
 */
final class TransactionManagerRegistry implements TransactionSynchronizationRegistry {
    private final TransactionManager transactionManager;
    private final Map<Transaction, Map<Object, Object>> resources = new ConcurrentHashMap<>();

    TransactionManagerRegistry(TransactionManager transactionManager) {
        this.transactionManager = transactionManager;
    }

    private Transaction current() {
        try {
            return transactionManager.getTransaction();
        } catch (SystemException e) {
            throw new JournalException("Cannot find the current JTA transaction: " + e, e);
        }
    }

    @Override
    public Object getTransactionKey() {
        return current();
    }

    @Override
    public void putResource(Object key, Object value) {
        Transaction transaction = current();
        if (transaction == null) {
            throw new IllegalStateException("no JTA transaction on this thread");
        }
        resources.computeIfAbsent(transaction, t -> new ConcurrentHashMap<>()).put(key, value);
    }

    @Override
    public Object getResource(Object key) {
        Transaction transaction = current();
        Map<Object, Object> bound = transaction == null ? null : resources.get(transaction);
        return bound == null ? null : bound.get(key);
    }

    @Override
    public void registerInterposedSynchronization(Synchronization synchronization) {
        Transaction transaction = current();
        try {
            transaction.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    synchronization.beforeCompletion();
                }

                @Override
                public void afterCompletion(int status) {
                    resources.remove(transaction);
                    synchronization.afterCompletion(status);
                }
            });
        } catch (RollbackException | SystemException e) {
            throw new JournalException("Cannot join JTA transaction " + transaction + ": " + e, e);
        }
    }

    @Override
    public int getTransactionStatus() {
        try {
            return transactionManager.getStatus();
        } catch (SystemException e) {
            throw new JournalException("Cannot read the JTA transaction status: " + e, e);
        }
    }

    @Override
    public void setRollbackOnly() {
        try {
            transactionManager.setRollbackOnly();
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean getRollbackOnly() {
        return getTransactionStatus() == jakarta.transaction.Status.STATUS_MARKED_ROLLBACK;
    }
}
