package io.denormq.tx.jta;

import io.denormq.tx.TestDatabase;

/** The JTA binding's suite with the orders database on a real PostgreSQL server (see {@link TestDatabase#postgres()}). */
class JtaTransactionBindingPostgresTest extends JtaTransactionBindingContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
