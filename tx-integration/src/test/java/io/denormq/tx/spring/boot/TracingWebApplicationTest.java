package io.denormq.tx.spring.boot;

/** {@link TracingWebApplicationContract} on Spring Boot 3.5, whose Actuator configures the tracer. */
class TracingWebApplicationTest extends TracingWebApplicationContract {
    @Override
    protected int bootGeneration() {
        return 3;
    }
}
