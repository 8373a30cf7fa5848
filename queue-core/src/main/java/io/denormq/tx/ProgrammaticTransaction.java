package io.denormq.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction started with {@link ProgrammaticTransactions#begin()}, bound to the thread that
 * began it. Commit it with {@link #commit(Connection)} (or {@link #commit(DatabaseCommit)} for
 * other resources) in place of the resource's own commit, so that the queue's before-commit and
 * after-completion callbacks run in the right order around it. Not thread-safe: use it on the
 * thread that began it.
 */
public final class ProgrammaticTransaction implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgrammaticTransaction.class);

    /** Commits the resources of a transaction (a database connection, several of them, ...). */
    @FunctionalInterface
    public interface DatabaseCommit {
        /**
         * @throws Exception if the commit failed; the outcome is then treated as unknown
         */
        void commit() throws Exception;
    }

    private final Consumer<ProgrammaticTransaction> onEnd;
    /**
     * Almost every transaction has one participant (the queue): it is kept in two fields, and the
     * map and list are made only for a second one, so that a transaction allocates nothing else.
     */
    private Object firstKey;
    private TransactionParticipant first;
    private Map<Object, TransactionParticipant> othersByKey;
    private List<TransactionParticipant> others;
    private boolean completed;

    ProgrammaticTransaction(Consumer<ProgrammaticTransaction> onEnd) {
        this.onEnd = onEnd;
    }

    TransactionParticipant participant(Object key, Supplier<? extends TransactionParticipant> factory) {
        if (first == null) {
            firstKey = key;
            first = factory.get();
            return first;
        }
        if (firstKey == key) {
            return first;
        }
        if (othersByKey == null) {
            othersByKey = new IdentityHashMap<>(4);
            others = new ArrayList<>(2);
        }
        TransactionParticipant participant = othersByKey.get(key);
        if (participant == null) {
            participant = factory.get();
            othersByKey.put(key, participant);
            others.add(participant);
        }
        return participant;
    }

    /**
     * Journals the transaction's messages, commits the connection, then releases the messages. If
     * journaling fails the connection is rolled back and the journal's exception is thrown; if the
     * commit itself fails, the outcome is unknown and the messages are released (they may then be
     * delivered although the transaction rolled back, never lost if it committed).
     *
     * @param connection the connection to commit
     * @throws SQLException if the commit failed
     * @throws io.denormq.JournalException if the messages could not be journaled (rolled back)
     */
    public void commit(Connection connection) throws SQLException {
        ensureOpen();
        try {
            runBeforeCommit();
        } catch (RuntimeException | Error e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        try {
            connection.commit();
        } catch (SQLException | RuntimeException | Error e) {
            complete(TransactionOutcome.UNKNOWN);
            throw e;
        }
        complete(TransactionOutcome.COMMITTED);
    }

    /**
     * Runs every participant's before-commit callback, then {@code databaseCommit}, then every
     * after-completion callback. If a before-commit callback throws, {@code databaseCommit} is not
     * run, the participants see a rollback and the exception is rethrown: the caller must roll its
     * resources back.
     *
     * @param databaseCommit commits the transaction's resources
     * @throws Exception from a before-commit callback or from {@code databaseCommit}
     */
    public void commit(DatabaseCommit databaseCommit) throws Exception {
        ensureOpen();
        runBeforeCommit();
        try {
            databaseCommit.commit();
        } catch (Exception | Error e) {
            complete(TransactionOutcome.UNKNOWN);
            throw e;
        }
        complete(TransactionOutcome.COMMITTED);
    }

    private void runBeforeCommit() {
        try {
            if (first != null) {
                first.beforeCommit();
            }
            for (int i = 0; others != null && i < others.size(); i++) {
                others.get(i).beforeCommit();
            }
        } catch (RuntimeException | Error e) {
            complete(TransactionOutcome.ROLLED_BACK);
            throw e;
        }
    }

    /**
     * Rolls the connection back and discards the transaction's messages.
     *
     * @param connection the connection to roll back
     * @throws SQLException if the rollback failed (the messages are discarded all the same)
     */
    public void rollback(Connection connection) throws SQLException {
        ensureOpen();
        try {
            connection.rollback();
        } finally {
            complete(TransactionOutcome.ROLLED_BACK);
        }
    }

    /**
     * Discards the transaction's messages; the caller rolls back its own resources.
     */
    public void rollback() {
        ensureOpen();
        complete(TransactionOutcome.ROLLED_BACK);
    }

    /** @return true once the transaction has committed or rolled back */
    public boolean isCompleted() {
        return completed;
    }

    /**
     * Rolls back (discards the messages of) a transaction that was neither committed nor rolled
     * back; does nothing otherwise. Does not touch any database connection.
     */
    @Override
    public void close() {
        if (!completed) {
            LOG.debug("Programmatic transaction closed without commit: discarding its messages");
            complete(TransactionOutcome.ROLLED_BACK);
        }
    }

    private void ensureOpen() {
        if (completed) {
            throw new IllegalStateException("This programmatic transaction has already completed");
        }
    }

    private void complete(TransactionOutcome outcome) {
        completed = true;
        onEnd.accept(this);
        if (first != null) {
            first.afterCompletion(outcome);
        }
        for (int i = 0; others != null && i < others.size(); i++) {
            others.get(i).afterCompletion(outcome);
        }
    }
}
