package io.denormq.tx.jta;

import io.denormq.tx.TestDatabase;

/** The JTA binding's suite with the orders database on embedded H2. */
class JtaTransactionBindingTest extends JtaTransactionBindingContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }
}
