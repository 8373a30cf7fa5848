package io.denormq.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.denormq.ModuleBoundary;
import io.denormq.tx.spring.SpringTransactionBinding;
import org.junit.jupiter.api.Test;

/** The bindings reach the queue through its API and the {@code io.denormq.tx} SPI alone: no class refers to {@code io.denormq.internal}. */
class TxIntegrationModuleBoundaryTest {

    @Test
    void usesNoInternalType() {
        assertThat(ModuleBoundary.classesUsingInternals(SpringTransactionBinding.class)).isEmpty();
    }
}
