package io.denormq.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The busy steps an idle dispatch thread takes follow how its recent waits ended. */
class BusyWaitBudgetTest {
    private static final long LONG_SLEEP = BusyWaitBudget.SHORT_SLEEP_NANOS * 5;
    private static final long SHORT_SLEEP = BusyWaitBudget.SHORT_SLEEP_NANOS / 4;

    @Test
    void startsAtTheMostAndHalvesToNoneWhileWorkComesAfterLongSleeps() {
        BusyWaitBudget budget = new BusyWaitBudget(110);
        assertThat(budget.steps()).isEqualTo(110);
        budget.slept(LONG_SLEEP);
        assertThat(budget.steps()).isEqualTo(55);
        for (int i = 0; i < 10; i++) {
            budget.slept(LONG_SLEEP);
        }
        assertThat(budget.steps()).as("work every 100 µs: the thread parks at once").isZero();
    }

    @Test
    void growsBackToTheMostWhenWorkArrivesSoonAfterItSleeps() {
        BusyWaitBudget budget = new BusyWaitBudget(110);
        for (int i = 0; i < 10; i++) {
            budget.slept(LONG_SLEEP);
        }
        budget.slept(SHORT_SLEEP);
        assertThat(budget.steps()).isEqualTo(1);
        budget.foundWhileBusy();
        assertThat(budget.steps()).isEqualTo(3);
        for (int i = 0; i < 10; i++) {
            budget.foundWhileBusy();
        }
        assertThat(budget.steps()).as("back-to-back batches: busy steps again, capped").isEqualTo(110);
    }
}
