package io.denormq.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import net.openhft.chronicle.core.time.TimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One clock reading per append, seen by Chronicle as well as by the journal, and by nobody else; a
 * record stamped just before its append shares that reading, without ever going back a day.
 */
class AppendClockTest {
    private static final LocalDate DAY = LocalDate.of(2026, 12, 1);
    private static final long MIDNIGHT = DAY.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();

    @TempDir
    Path directory;

    /** A clock the test sets; once told to, every reading moves it on by a millisecond. */
    private static final class SteppingClock implements TimeProvider {
        volatile long now;
        volatile boolean stepping;

        @Override
        public long currentTimeMillis() {
            long time = now;
            if (stepping) {
                now = time + 1;
            }
            return time;
        }
    }

    @Test
    void anAppendWhoseClockCrossesMidnightWritesIntoTheDayItCheckedSpaceFor() throws Exception {
        SteppingClock clock = new SteppingClock();
        clock.now = MIDNIGHT - 1;
        try (Journal journal = Journal.open(directory, false, clock)) {
            clock.stepping = true; // the first reading is the old day's last millisecond, the next the new day's first
            long index = journal.append(new byte[] {JournalRecordDescriptor.KIND_RELEASE, 0, 0, 0, 0, 0, 0, 0}, 8);
            clock.stepping = false;

            assertThat(LocalDate.ofEpochDay(Journal.ROLL_CYCLE.toCycle(index))).isEqualTo(DAY);
            assertThat(Files.exists(directory.resolve(Journal.cycleFileName((int) DAY.toEpochDay())))).isTrue();
            assertThat(Files.exists(directory.resolve(Journal.cycleFileName((int) DAY.plusDays(1).toEpochDay()))))
                    .as("the new day's file, which no free-space check allocated").isFalse();
        }
    }

    @Test
    void onlyThePinningThreadSeesThePinnedTime() throws Exception {
        SteppingClock configured = new SteppingClock();
        configured.now = 1_000;
        AppendClock clock = new AppendClock(configured);

        clock.pin();
        assertThat(clock.currentTimeMillis()).as("the pinning thread, at once").isEqualTo(1_000);
        configured.now = 2_000;
        assertThat(clock.currentTimeMillis()).as("the pinning thread").isEqualTo(1_000);
        assertThat(CompletableFuture.supplyAsync(clock::currentTimeMillis).get(30, TimeUnit.SECONDS))
                .as("another thread").isEqualTo(2_000);

        clock.unpin();
        assertThat(clock.currentTimeMillis()).as("the pinning thread after unpin()").isEqualTo(2_000);
    }

    private static final byte[] RELEASE = {JournalRecordDescriptor.KIND_RELEASE, 0, 0, 0, 0, 0, 0, 0};

    @Test
    void aStampedRecordIsAppendedIntoTheDayOfItsStampWithoutReadingTheClock() throws Exception {
        SteppingClock clock = new SteppingClock();
        clock.now = MIDNIGHT - 1;
        try (Journal journal = Journal.open(directory, false, clock)) {
            long stamped = journal.currentTimeMillis();
            clock.now = MIDNIGHT + 5; // past midnight by the time the record is appended
            clock.stepping = true;
            long index = journal.append(RELEASE, RELEASE.length, stamped);
            clock.stepping = false;

            assertThat(LocalDate.ofEpochDay(Journal.ROLL_CYCLE.toCycle(index))).isEqualTo(DAY);
            assertThat(clock.now).as("the clock after the append: not read").isEqualTo(MIDNIGHT + 5);
        }
    }

    @Test
    void aRecordStampedBeforeMidnightButAppendedAfterANewDaysRecordGoesIntoTheNewDay() throws Exception {
        SteppingClock clock = new SteppingClock();
        clock.now = MIDNIGHT - 1;
        try (Journal journal = Journal.open(directory, false, clock)) {
            journal.append(RELEASE, RELEASE.length);
            long stampedBeforeMidnight = journal.currentTimeMillis();
            clock.now = MIDNIGHT + 1;
            long newDay = journal.append(RELEASE, RELEASE.length, journal.currentTimeMillis()); // another committer, first
            long late = journal.append(RELEASE, RELEASE.length, stampedBeforeMidnight);

            assertThat(LocalDate.ofEpochDay(Journal.ROLL_CYCLE.toCycle(newDay))).isEqualTo(DAY.plusDays(1));
            assertThat(LocalDate.ofEpochDay(Journal.ROLL_CYCLE.toCycle(late)))
                    .as("not back into the day already ended").isEqualTo(DAY.plusDays(1));
            assertThat(late).isGreaterThan(newDay);
        }
    }
}
