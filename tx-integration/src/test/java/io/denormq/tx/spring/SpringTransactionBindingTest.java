package io.denormq.tx.spring;

import io.denormq.tx.TestDatabase;

/** The Spring binding's suite on embedded H2. */
class SpringTransactionBindingTest extends SpringTransactionBindingContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }
}
