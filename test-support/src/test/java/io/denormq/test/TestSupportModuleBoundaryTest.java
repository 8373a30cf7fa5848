package io.denormq.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.denormq.ModuleBoundary;
import org.junit.jupiter.api.Test;

/** The test support reaches the queue through its public API alone: no class refers to {@code io.denormq.internal}. */
class TestSupportModuleBoundaryTest {

    @Test
    void usesNoInternalType() { // the whole module: its classes directory or jar
        assertThat(ModuleBoundary.classesUsingInternals(DenormqRecorder.class)).isEmpty();
    }
}
