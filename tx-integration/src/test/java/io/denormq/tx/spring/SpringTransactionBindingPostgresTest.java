package io.denormq.tx.spring;

import io.denormq.tx.TestDatabase;

/** The Spring binding's suite on a real PostgreSQL server (see {@link TestDatabase#postgres()}). */
class SpringTransactionBindingPostgresTest extends SpringTransactionBindingContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
