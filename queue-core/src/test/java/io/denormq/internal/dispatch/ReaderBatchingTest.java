package io.denormq.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.denormq.internal.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a reader stops chasing commits and reads them in batches, and when it goes back. Its sleeps
 * here last a minute, so a wait that slept instead of returning would fail the test's time-out.
 */
class ReaderBatchingTest {
    private static final long A_MINUTE = TimeUnit.MINUTES.toNanos(1);

    @TempDir
    Path directory;

    @Test
    void aReaderWhoseRecordsKeepComingAtOnceReadsInBatchesUntilAnIntervalFindsNothing() throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, false);
            recordsFoundAfterSteps(idle, 1); // the first records after the start, as if it had slept
            for (int wait = 0; wait < 7; wait++) {
                recordsFoundAfterSteps(idle, 1);
            }
            assertThat(idle.readsInBatches()).as("after 7 waits ended at once").isFalse();
            recordsFoundAfterSteps(idle, 1);
            assertThat(idle.readsInBatches()).as("after 8 waits ended at once").isTrue();

            long start = System.nanoTime();
            idle.beforeRead();
            idle.idle(); // a short, unrung park, then it reads again
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
            idle.reset(); // that read found the records that came meanwhile
            assertThat(idle.readsInBatches()).as("after an interval that found records").isTrue();

            idle.beforeRead();
            idle.idle(); // the interval
            idle.beforeRead();
            idle.idle(); // its read found nothing: the commits stopped
            assertThat(idle.readsInBatches()).as("after an interval that found nothing").isFalse();
        }
    }

    @ParameterizedTest(name = "records found after {0} step(s), busy spin {1}")
    @CsvSource({"40, false", "1, true"})
    void aReaderWhoseRecordsComeOnlyAfterManySpinsOrThatBusySpinsKeepsChasingThem(int steps, boolean busySpin)
            throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, busySpin);
            for (int wait = 0; wait < 50; wait++) {
                recordsFoundAfterSteps(idle, steps);
            }
            assertThat(idle.readsInBatches()).isFalse();
        }
    }

    /** A wait of {@code steps} read attempts that found nothing, ended by one that found records. */
    private static void recordsFoundAfterSteps(ReaderIdle idle, int steps) {
        for (int step = 0; step < steps; step++) {
            idle.beforeRead();
            idle.idle();
        }
        idle.beforeRead();
        idle.reset();
    }
}
