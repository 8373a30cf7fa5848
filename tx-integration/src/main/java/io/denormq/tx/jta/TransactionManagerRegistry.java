package io.denormq.tx.jta;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import io.denormq.TransactionBindingException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * The part of {@link TransactionSynchronizationRegistry} the binding uses, over a plain
 * {@link TransactionManager}: resources live in a map per transaction, removed when it completes.
 *
 * <p>A transaction can complete on another thread than its own (a transaction manager's timeout
 * reaper rolls it back while the application thread is still associated with it). A transaction's
 * resources are therefore put only while a synchronization that removes them is registered with
 * it, and a put that loses the race with that removal throws instead of leaving them behind.
 */
final class TransactionManagerRegistry implements TransactionSynchronizationRegistry {
    private final TransactionManager transactionManager;
    private final Map<Transaction, Resources> resources = new ConcurrentHashMap<>();

    TransactionManagerRegistry(TransactionManager transactionManager) {
        this.transactionManager = transactionManager;
    }

    private Transaction current() {
        try {
            return transactionManager.getTransaction();
        } catch (SystemException e) {
            throw new TransactionBindingException("Cannot find the current JTA transaction: the transaction manager "
                    + "failed (" + e + "). Nothing was journaled; check the transaction manager's log", e);
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
        Resources bound = resources.get(transaction);
        if (bound == null) {
            Resources created = new Resources();
            bound = resources.putIfAbsent(transaction, created);
            if (bound == null) {
                bound = created;
                try {
                    transaction.registerSynchronization(new Removal(transaction, created));
                } catch (RuntimeException | RollbackException | SystemException e) {
                    resources.remove(transaction, created);
                    throw cannotRegister(transaction, e);
                }
            }
        }
        bound.put(transaction, key, value);
    }

    @Override
    public Object getResource(Object key) {
        Transaction transaction = current();
        Resources bound = transaction == null ? null : resources.get(transaction);
        return bound == null ? null : bound.get(key);
    }

    /** @return how many transactions have resources: for tests, which check that none is left behind */
    int transactionsWithResources() {
        return resources.size();
    }

    @Override
    public void registerInterposedSynchronization(Synchronization synchronization) {
        Transaction transaction = current();
        if (transaction == null) {
            throw new IllegalStateException("no JTA transaction on this thread");
        }
        try {
            transaction.registerSynchronization(synchronization);
        } catch (RuntimeException | RollbackException | SystemException e) {
            throw cannotRegister(transaction, e);
        }
    }

    /**
     * As {@link TransactionSynchronizationRegistry} specifies: an {@link IllegalStateException} when
     * the transaction can no longer take synchronizations (marked rollback-only, completing or
     * completed), a {@link TransactionBindingException} when the transaction manager failed.
     */
    private static RuntimeException cannotRegister(Transaction transaction, Exception e) {
        if (e instanceof SystemException) {
            return new TransactionBindingException("Cannot join JTA transaction " + transaction + ": the transaction "
                    + "manager failed (" + e + "). Nothing was journaled; check the transaction manager's log", e);
        }
        return new IllegalStateException("Cannot join JTA transaction " + transaction
                + ", which takes no more synchronizations: " + e, e);
    }

    @Override
    public int getTransactionStatus() {
        try {
            return transactionManager.getStatus();
        } catch (SystemException e) {
            throw new TransactionBindingException("Cannot read the JTA transaction status: the transaction manager "
                    + "failed (" + e + "). Nothing was journaled; check the transaction manager's log", e);
        }
    }

    @Override
    public void setRollbackOnly() {
        try {
            transactionManager.setRollbackOnly();
        } catch (SystemException e) {
            throw new TransactionBindingException("Cannot mark the JTA transaction rollback-only: the transaction "
                    + "manager failed (" + e + "); check the transaction manager's log", e);
        }
    }

    @Override
    public boolean getRollbackOnly() {
        return getTransactionStatus() == Status.STATUS_MARKED_ROLLBACK;
    }

    /** One transaction's resources; once it completed, they are gone and none can be added. */
    private static final class Resources {
        private final Map<Object, Object> values = new ConcurrentHashMap<>();
        /**
         * Orders a put against completion on another thread (a reaper). A {@link ReentrantLock}, not
         * {@code synchronized}: the publishing thread may be virtual, and on JDK 21 to 23 waiting for a
         * monitor pins a virtual thread to its carrier.
         */
        private final ReentrantLock lock = new ReentrantLock();
        private boolean completed;

        void put(Transaction transaction, Object key, Object value) {
            lock.lock();
            try {
                if (completed) {
                    throw new IllegalStateException("JTA transaction " + transaction
                            + " completed (on another thread) while a resource was being bound to it");
                }
                values.put(key, value);
            } finally {
                lock.unlock();
            }
        }

        Object get(Object key) {
            return values.get(key);
        }

        void complete() {
            lock.lock();
            try {
                completed = true;
                values.clear();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Removes a transaction's resources when it completes, on whichever thread completes it. */
    private final class Removal implements Synchronization {
        private final Transaction transaction;
        private final Resources removed;

        Removal(Transaction transaction, Resources removed) {
            this.transaction = transaction;
            this.removed = removed;
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            removed.complete();
            resources.remove(transaction, removed);
        }
    }
}
