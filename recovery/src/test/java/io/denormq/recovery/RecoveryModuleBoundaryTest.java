package io.denormq.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.denormq.ModuleBoundary;
import io.denormq.recovery.cli.DenormqCli;
import org.junit.jupiter.api.Test;

/**
 * The command-line tool and the demo are built on denormq's API alone (the inspection API,
 * {@code io.denormq.inspect}, included): no class of this module refers to {@code io.denormq.internal}.
 */
class RecoveryModuleBoundaryTest {

    @Test
    void usesNoInternalType() {
        assertThat(ModuleBoundary.classesUsingInternals(DenormqCli.class)).isEmpty();
    }
}
