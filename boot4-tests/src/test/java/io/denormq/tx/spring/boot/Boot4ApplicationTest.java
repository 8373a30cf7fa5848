package io.denormq.tx.spring.boot;

import io.denormq.tx.TestDatabase;

/**
 * {@link BootApplicationContract} on Spring Boot 4 (Spring Framework 7) and embedded H2: the health
 * indicator must register through Boot 4's {@code spring-boot-health} API.
 */
class Boot4ApplicationTest extends BootApplicationContract {
    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    protected int bootGeneration() {
        return 4;
    }

    @Override
    protected String expectedHealthIndicator() {
        return "DenormqBoot4HealthIndicator";
    }
}
