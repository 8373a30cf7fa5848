package io.denormq.tx.spring.boot;

/**
 * {@link DenormqTestSupportContract} on Spring Boot 4 (Spring Framework 7): {@code @DenormqTest}'s
 * context customizer and test execution listener are found and run by Spring 7's TestContext framework.
 */
class Boot4DenormqTestSupportTest extends DenormqTestSupportContract {
    @Override
    protected int bootGeneration() {
        return 4;
    }
}
