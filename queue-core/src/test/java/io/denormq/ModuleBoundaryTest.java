package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The check the other modules run on themselves finds internal references where they are. */
class ModuleBoundaryTest {

    @Test
    void findsTheClassesThatReferToInternalTypes() {
        assertThat(ModuleBoundary.classesUsingInternals(DenormQueue.class))
                .contains("io/denormq/internal/journal/Journal.class")
                .doesNotContain("io/denormq/Codec.class", "io/denormq/tx/TransactionBinding.class");
    }
}
