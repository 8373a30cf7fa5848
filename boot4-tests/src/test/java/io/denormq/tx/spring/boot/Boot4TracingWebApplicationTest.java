package io.denormq.tx.spring.boot;

/**
 * {@link TracingWebApplicationContract} on Spring Boot 4, whose tracing auto-configuration lives in
 * its own module ({@code spring-boot-micrometer-tracing-opentelemetry}).
 */
class Boot4TracingWebApplicationTest extends TracingWebApplicationContract {
    @Override
    protected int bootGeneration() {
        return 4;
    }
}
