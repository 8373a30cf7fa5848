package io.denormq.tx.applied;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.denormq.Message;

/**
 * The {@link TransactionalHandler} for plain JDBC: one connection of its own (auto-commit off),
 * opened on the first message and kept; the user's code gets that connection for each message
 * and must not commit it.
 *
 * <pre>{@code
 * JdbcTransactionalHandler totals = JdbcTransactionalHandler.builder("customer-totals", dataSource)
 *         .handler((message, connection) -> { ... update the read model on connection ... })
 *         .build();
 * DenormQueue.builder(dir).handler("customer-totals", totals)...
 * }</pre>
 */
public final class JdbcTransactionalHandler extends TransactionalHandler implements AutoCloseable {
    /** The user's code for one message, run inside the adapter's transaction. */
    @FunctionalInterface
    public interface JdbcMessageHandler {
        /**
         * @param message    the message, valid during the call only
         * @param connection the transaction's connection: do not commit, roll back or close it
         * @throws Exception to roll the message's transaction back (and have it retried)
         */
        void onMessage(Message message, Connection connection) throws Exception;

        /**
         * Empties the read model before a rebuild, in the transaction that resets the position.
         *
         * @param afterSequence where the replay starts, -1 for the earliest retained message
         * @param connection    the transaction's connection
         * @throws Exception to refuse the rebuild
         */
        default void onRebuild(long afterSequence, Connection connection) throws Exception {
        }
    }

    private final DataSource dataSource;
    private final JdbcMessageHandler handler;
    private Connection connection;

    private JdbcTransactionalHandler(Builder builder) {
        super(builder);
        this.dataSource = builder.dataSource;
        this.handler = builder.handler;
    }

    /**
     * @param positionKey the handler's name in the queue: it keys the position row
     * @param dataSource  the read model's database, where the position table lives
     * @return a builder
     */
    public static Builder builder(String positionKey, DataSource dataSource) {
        return new Builder(positionKey, dataSource);
    }

    @Override
    protected Connection begin() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection opened = dataSource.getConnection();
            opened.setAutoCommit(false);
            connection = opened;
        }
        return connection;
    }

    @Override
    protected void commit(Connection connection) throws SQLException {
        connection.commit();
    }

    @Override
    protected void rollback(Connection connection) throws SQLException {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // a broken connection: open a new one for the next transaction
            this.connection = null;
            connection.close();
            throw e;
        }
    }

    @Override
    protected void apply(Message message, Connection connection) throws Exception {
        handler.onMessage(message, connection);
    }

    @Override
    protected void resetForRebuild(long afterSequence, Connection connection) throws Exception {
        handler.onRebuild(afterSequence, connection);
    }

    /** Closes the adapter's connection; call it after the queue is closed. */
    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** Configures a {@link JdbcTransactionalHandler}. */
    public static final class Builder extends TransactionalHandlerBuilder<Builder> {
        private final DataSource dataSource;
        private JdbcMessageHandler handler;

        private Builder(String positionKey, DataSource dataSource) {
            super(positionKey);
            this.dataSource = dataSource;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param handler the user's code
         * @return this builder
         */
        public Builder handler(JdbcMessageHandler handler) {
            this.handler = handler;
            return this;
        }

        /**
         * @return the adapter
         * @throws io.denormq.ConfigurationException if the data source or handler is missing or a setting is out of range
         */
        public JdbcTransactionalHandler build() {
            if (dataSource == null || handler == null) {
                throw new io.denormq.ConfigurationException("transactional handler '" + positionKey() + "': the data "
                        + "source and the handler must be given");
            }
            return new JdbcTransactionalHandler(this);
        }
    }
}
