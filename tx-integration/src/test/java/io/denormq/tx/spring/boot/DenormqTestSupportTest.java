package io.denormq.tx.spring.boot;

/** {@link DenormqTestSupportContract} on Spring Boot 3.5 (Spring Framework 6.2). */
class DenormqTestSupportTest extends DenormqTestSupportContract {
    @Override
    protected int bootGeneration() {
        return 3;
    }
}
