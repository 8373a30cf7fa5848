package io.denormq.tx.spring;

import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.TestDatabase;
import io.denormq.tx.applied.TransactionalHandler;
import io.denormq.tx.applied.TransactionalHandlerContractAccess;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;

/** The Spring adapter with a DataSourceTransactionManager on embedded H2. */
class SpringTransactionalHandlerTest extends TransactionalHandlerContractAccess {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    protected TransactionalHandler adapter(int batchSize, int partition, int partitionCount) {
        var dataSource = database.dataSource();
        return SpringTransactionalHandler.builder(NAME, new DataSourceTransactionManager(dataSource), dataSource)
                .batchSize(batchSize)
                .partition(partition, partitionCount)
                .handler(new MessageHandler() {
                    @Override
                    public void onMessage(Message message) throws Exception {
                        // the user's code joins Spring's transaction: same connection as the position row
                        applyTotal(message, DataSourceUtils.getConnection(dataSource));
                    }

                    @Override
                    public void onRebuild(long afterSequence) throws Exception {
                        emptyTotals(DataSourceUtils.getConnection(dataSource));
                    }
                })
                .build();
    }
}
