package io.denormq.tx.applied;

import io.denormq.tx.TestDatabase;

/** The plain-JDBC adapter on embedded H2. */
class JdbcTransactionalHandlerTest extends TransactionalHandlerContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    protected TransactionalHandler adapter(int batchSize, int partition, int partitionCount) {
        return JdbcTransactionalHandler.builder(NAME, database.dataSource())
                .batchSize(batchSize)
                .partition(partition, partitionCount)
                .handler(new JdbcTransactionalHandler.JdbcMessageHandler() {
                    @Override
                    public void onMessage(io.denormq.Message message, java.sql.Connection connection) throws Exception {
                        applyTotal(message, connection);
                    }

                    @Override
                    public void onRebuild(long afterSequence, java.sql.Connection connection) throws Exception {
                        emptyTotals(connection);
                    }
                })
                .build();
    }
}
