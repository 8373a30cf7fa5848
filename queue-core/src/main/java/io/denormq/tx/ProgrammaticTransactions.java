package io.denormq.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The transaction binding for code that manages its JDBC transactions by hand, and the default
 * binding of a queue. A transaction is bound to the calling thread from {@link #begin()} until it
 * commits or rolls back; {@link #call(Connection, SqlWork)} does all of it around a piece of work
 * so that the before-commit / commit / after-completion order cannot be got wrong:
 *
 * <pre>{@code
 * long orderId = ProgrammaticTransactions.call(connection, c -> {
 *     long id = insertOrder(c, order);
 *     queue.publish("order-placed", order.customerId(), payload);
 *     return id;
 * });   // journal batch, then connection.commit(), then release
 * }</pre>
 *
 * <p>Code that cannot use a lambda calls {@link #begin()} and then
 * {@link ProgrammaticTransaction#commit(Connection)} in place of {@code Connection.commit()}.
 */
public final class ProgrammaticTransactions implements TransactionBinding {
    private static final ProgrammaticTransactions INSTANCE = new ProgrammaticTransactions();
    private static final ThreadLocal<ProgrammaticTransaction> CURRENT = new ThreadLocal<>();
    private static final java.util.function.Consumer<ProgrammaticTransaction> UNBIND = ProgrammaticTransactions::unbind;

    private ProgrammaticTransactions() {
    }

    /**
     * Work to run inside a database transaction.
     *
     * @param <T> what the work returns
     */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * @param connection the connection the transaction runs on, with auto-commit off
         * @return the work's result
         * @throws SQLException to roll the transaction back
         */
        T execute(Connection connection) throws SQLException;
    }

    /** @return the binding, shared by every queue that uses programmatic transactions */
    public static ProgrammaticTransactions binding() {
        return INSTANCE;
    }

    /**
     * Starts a transaction bound to the calling thread. Publishing on this thread joins it until it
     * is committed or rolled back; always close it (try-with-resources), which rolls back a
     * transaction that was neither committed nor rolled back.
     *
     * @return the new transaction
     * @throws IllegalStateException if the thread already has an open programmatic transaction
     */
    public static ProgrammaticTransaction begin() {
        ProgrammaticTransaction current = CURRENT.get();
        if (current != null) {
            throw new IllegalStateException("This thread already has an open programmatic transaction; commit, "
                    + "roll back or close it before beginning another");
        }
        ProgrammaticTransaction transaction = new ProgrammaticTransaction(UNBIND);
        CURRENT.set(transaction);
        return transaction;
    }

    /**
     * @return the calling thread's open programmatic transaction, if any
     */
    public static Optional<ProgrammaticTransaction> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Runs {@code work} in a transaction on {@code connection} and commits it, journaling the
     * messages published by the work before the commit and releasing them after it. If the work
     * throws, or the journal cannot be written, the connection is rolled back and the messages are
     * discarded. The connection's auto-commit setting is restored afterwards.
     *
     * @param connection the connection to run on
     * @param work       the work; it may publish to any queue using this binding
     * @param <T>        what the work returns
     * @return what the work returned
     * @throws SQLException from the work, the commit or the rollback
     */
    public static <T> T call(Connection connection, SqlWork<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        try (ProgrammaticTransaction transaction = begin()) {
            T result;
            try {
                result = work.execute(connection);
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(transaction, connection, e);
                throw e;
            }
            transaction.commit(connection);
            return result;
        } finally {
            if (autoCommit) {
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * {@link #call} for work that returns nothing.
     *
     * @param connection the connection to run on
     * @param work       the work
     * @throws SQLException from the work, the commit or the rollback
     */
    public static void run(Connection connection, SqlWork<?> work) throws SQLException {
        call(connection, work);
    }

    private static void rollbackQuietly(ProgrammaticTransaction transaction, Connection connection, Throwable cause) {
        try {
            transaction.rollback(connection);
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void unbind(ProgrammaticTransaction transaction) {
        if (CURRENT.get() == transaction) {
            CURRENT.set(null); // not remove(): the thread's map entry is kept for the next transaction
        }
    }

    @Override
    public TransactionParticipant join(Object key, Supplier<? extends TransactionParticipant> factory) {
        ProgrammaticTransaction transaction = CURRENT.get();
        return transaction == null ? null : transaction.participant(key, factory);
    }
}
