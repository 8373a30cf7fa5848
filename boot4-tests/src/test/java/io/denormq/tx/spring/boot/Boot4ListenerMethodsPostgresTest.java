package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link ListenerMethodsContract} on Spring Boot 4 (Spring Framework 7, Jackson 3) and PostgreSQL. */
class Boot4ListenerMethodsPostgresTest extends ListenerMethodsContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    protected int bootGeneration() {
        return 4;
    }
}
