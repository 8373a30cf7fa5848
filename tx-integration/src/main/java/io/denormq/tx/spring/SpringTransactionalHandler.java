package io.denormq.tx.spring;

import java.sql.Connection;
import java.util.ArrayDeque;
import java.util.Deque;

import javax.sql.DataSource;

import io.denormq.ConfigurationException;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.applied.TransactionalHandler;
import io.denormq.tx.applied.TransactionalHandlerBuilder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The {@link TransactionalHandler} for Spring: each message (or batch) runs in a transaction of the
 * given {@link PlatformTransactionManager}, and the user's handler joins it the usual way — a
 * {@code JdbcTemplate} on the same {@link DataSource}, for example. The applied-position row is
 * read and written on the transaction's connection ({@link DataSourceUtils}).
 *
 * <pre>{@code
 * SpringTransactionalHandler totals = SpringTransactionalHandler
 *         .builder("customer-totals", transactionManager, dataSource)
 *         .handler(message -> jdbc.update("update customer_totals ...", ...))
 *         .build();
 * }</pre>
 */
public final class SpringTransactionalHandler extends TransactionalHandler {
    private final PlatformTransactionManager transactionManager;
    private final DataSource dataSource;
    private final MessageHandler handler;
    private final TransactionDefinition definition;
    private final Deque<TransactionStatus> open = new ArrayDeque<>();

    private SpringTransactionalHandler(Builder builder) {
        super(builder);
        this.transactionManager = builder.transactionManager;
        this.dataSource = builder.dataSource;
        this.handler = builder.handler;
        DefaultTransactionDefinition definition = new DefaultTransactionDefinition(
                TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        definition.setName("denormq transactional handler " + positionKey());
        this.definition = definition;
    }

    /**
     * @param positionKey        the handler's name in the queue: it keys the position row
     * @param transactionManager runs the transactions; it must manage {@code dataSource}
     * @param dataSource         the read model's database, where the position table lives
     * @return a builder
     */
    public static Builder builder(String positionKey, PlatformTransactionManager transactionManager,
                                  DataSource dataSource) {
        return new Builder(positionKey, transactionManager, dataSource);
    }

    @Override
    protected Connection begin() {
        open.push(transactionManager.getTransaction(definition));
        return DataSourceUtils.getConnection(dataSource);
    }

    @Override
    protected void commit(Connection connection) {
        TransactionStatus status = open.pop();
        DataSourceUtils.releaseConnection(connection, dataSource);
        transactionManager.commit(status);
    }

    @Override
    protected void rollback(Connection connection) {
        TransactionStatus status = open.pop();
        DataSourceUtils.releaseConnection(connection, dataSource);
        transactionManager.rollback(status);
    }

    @Override
    protected void apply(Message message, Connection connection) throws Exception {
        handler.onMessage(message);
    }

    @Override
    protected void resetForRebuild(long afterSequence, Connection connection) throws Exception {
        handler.onRebuild(afterSequence);
    }

    /** Configures a {@link SpringTransactionalHandler}. */
    public static final class Builder extends TransactionalHandlerBuilder<Builder> {
        private final PlatformTransactionManager transactionManager;
        private final DataSource dataSource;
        private MessageHandler handler;

        private Builder(String positionKey, PlatformTransactionManager transactionManager, DataSource dataSource) {
            super(positionKey);
            this.transactionManager = transactionManager;
            this.dataSource = dataSource;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param handler the user's code; it joins the transaction through Spring (JdbcTemplate, JPA, ...),
         *                and may implement {@link MessageHandler#onRebuild(long)} to empty the read model
         * @return this builder
         */
        public Builder handler(MessageHandler handler) {
            this.handler = handler;
            return this;
        }

        /**
         * @return the adapter
         * @throws ConfigurationException if something is missing or out of range
         */
        public SpringTransactionalHandler build() {
            if (transactionManager == null || dataSource == null || handler == null) {
                throw new ConfigurationException("transactional handler '" + positionKey() + "': the transaction "
                        + "manager, the data source and the handler must be given");
            }
            return new SpringTransactionalHandler(this);
        }
    }
}
