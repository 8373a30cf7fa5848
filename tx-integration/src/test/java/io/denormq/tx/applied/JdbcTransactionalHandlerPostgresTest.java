package io.denormq.tx.applied;

import io.denormq.tx.TestDatabase;

/** The plain-JDBC adapter on PostgreSQL. */
class JdbcTransactionalHandlerPostgresTest extends JdbcTransactionalHandlerTest {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
