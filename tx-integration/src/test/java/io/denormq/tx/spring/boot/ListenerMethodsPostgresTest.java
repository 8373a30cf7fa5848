package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 3.5 and PostgreSQL (see {@link TestDatabase#postgres()}). */
class ListenerMethodsPostgresTest extends ListenerMethodsContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    protected int bootGeneration() {
        return 3;
    }
}
