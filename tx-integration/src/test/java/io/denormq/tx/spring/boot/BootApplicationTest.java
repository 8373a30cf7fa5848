package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/** {@link BootApplicationContract} on Spring Boot 3.5 and embedded H2. */
class BootApplicationTest extends BootApplicationContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
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
