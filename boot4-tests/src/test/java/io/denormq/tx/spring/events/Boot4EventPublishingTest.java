package io.denormq.tx.spring.events;

/**
 * {@link EventPublishingContract} on Spring Boot 4 (Spring Framework 7) and embedded H2: the forwarder
 * compiled against Spring 6.2 must be registered and called by Spring 7's event multicaster, and the
 * events encoded by Boot 4's Jackson 3 mapper.
 */
class Boot4EventPublishingTest extends EventPublishingContract {
    @Override
    protected int bootGeneration() {
        return 4;
    }
}
