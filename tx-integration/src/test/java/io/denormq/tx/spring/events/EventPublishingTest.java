package io.denormq.tx.spring.events;

/** {@link EventPublishingContract} on Spring Boot 3.5 (Spring Framework 6.2) and embedded H2. */
class EventPublishingTest extends EventPublishingContract {
    @Override
    protected int bootGeneration() {
        return 3;
    }
}
