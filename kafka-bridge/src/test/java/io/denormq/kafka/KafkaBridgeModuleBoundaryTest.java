package io.denormq.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.denormq.ModuleBoundary;
import org.junit.jupiter.api.Test;

/** The bridge is built on denormq's API alone: no class of this module refers to {@code io.denormq.internal}. */
class KafkaBridgeModuleBoundaryTest {

    @Test
    void usesNoInternalType() {
        assertThat(ModuleBoundary.classesUsingInternals(KafkaBridge.class)).isEmpty();
    }
}
