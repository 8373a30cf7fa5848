package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link BootApplicationContract} on Spring Boot 3.5 and PostgreSQL (see {@link TestDatabase#postgres()}). */
class BootApplicationPostgresTest extends BootApplicationContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    protected int bootGeneration() {
        return 3;
    }

    @Override
    protected String expectedHealthIndicator() {
        return "DenormqHealthIndicator";
    }
}
