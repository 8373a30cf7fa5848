package io.denormq.tx.spring;

import io.denormq.tx.TestDatabase;

/** The Spring adapter on PostgreSQL. */
class SpringTransactionalHandlerPostgresTest extends SpringTransactionalHandlerTest {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
