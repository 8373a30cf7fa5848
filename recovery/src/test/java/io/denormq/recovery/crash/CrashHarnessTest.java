package io.denormq.recovery.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.denormq.ChildJvm;
import io.denormq.Durability;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash-test harness: a {@link HarnessChild} JVM runs concurrent transactions on an H2 file
 * database that publish to denormq, and is killed with {@code kill -9} at random moments (while it
 * publishes, commits and dispatches, and some right after a restart, while it recovers), then
 * restarted, {@value #DEFAULT_CYCLES} times per durability mode and flush policy (or
 * {@code -Ddenormq.crash.cycles=N}, for a soak). A last run only drains. Then it counts, from the
 * database and the children's outcome log, what the guarantees forbid: a committed transaction's
 * message never processed, a message processed before its transaction committed, a rolled-back
 * transaction's message processed. Repeats are allowed and counted.
 *
 * <p>Every {@link Finding} says why it is forbidden or allowed. The work directory of a failed
 * run is kept, with each child's standard error; its path is in the failure message.
 */
class CrashHarnessTest {
    private static final int DEFAULT_CYCLES = 5;
    private static final int CYCLES = Integer.getInteger("denormq.crash.cycles", DEFAULT_CYCLES);
    /** How long a child may take to start: a JVM, H2 and its recovery, on a loaded 2-core machine. */
    private static final long START_SECONDS = 120;
    /** How long the drain run may take, beyond its own limit: it only bounds a hang. */
    private static final long DRAIN_MINUTES = 10;
    private static final int RECOVERY_KILL_MILLIS = 40;
    private static final int STEADY_KILL_MILLIS = 2000;

    private final Random random = new Random();

    static Stream<Arguments> combinations() {
        return Stream.of(Durability.values())
                .flatMap(durability -> Stream.of(FlushSetting.values()).map(flush -> Arguments.of(durability, flush)));
    }

    @ParameterizedTest(name = "{0}, flush {1}")
    @MethodSource("combinations")
    void shouldNeitherLoseNorDeliverEarlyAcrossKill9AndRestart(Durability durability, FlushSetting flush,
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        long start = System.nanoTime();
        long childErrors = 0;
        for (int run = 1; run <= CYCLES; run++) {
            childErrors += errorLines(runAndKill(workDir, durability, flush, run));
        }
        int drainRun = CYCLES + 1;
        String drainStderr = drain(workDir, durability, flush, drainRun);
        childErrors += errorLines(drainStderr);

        Outcomes outcomes = Outcomes.read(workDir.resolve(HarnessChild.OUTCOME_LOG));
        CrashVerdict verdict = CrashVerdict.judge(new HarnessDatabase(workDir), outcomes, durability);
        System.out.printf("crash-harness durability=%s flush=%s cycles=%d %s killedBeforeRecoveryEnded=%d "
                        + "childErrorLines=%d seconds=%.1f%n", durability, flush, CYCLES, verdict.figures(),
                outcomes.runsKilledBeforeRecoveryEnded(), childErrors, (System.nanoTime() - start) / 1e9);

        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(outcomes.drained()).as("the drain run processed every released message (%s); child "
                    + "stderr:%n%s", workDir, drainStderr).containsEntry(drainRun, true);
            softly.assertThat(verdict.committed()).as("transactions committed across the runs").isPositive();
            for (Finding finding : Finding.values()) {
                if (finding.forbiddenIn(durability)) {
                    softly.assertThat(verdict.count(finding)).as("%s, e.g. %s (%s)", finding.description(),
                            verdict.samples(finding), workDir).isZero();
                }
            }
        });
    }

    /**
     * Counts the lines a child logged at ERROR (for example a journal append that failed after a
     * commit): reported, not judged, since the findings already judge what came of them.
     */
    private static long errorLines(String stderr) {
        return stderr.lines().filter(line -> line.contains(" ERROR ")).count();
    }

    /**
     * Starts a child that runs the workload and kills it. Even runs are killed within
     * {@value #RECOVERY_KILL_MILLIS} ms of READY, which the child prints just before it opens the
     * queue: in recovery, or in the dispatch of the backlog right after it. Odd runs, the first
     * included (so that every test commits something), wait until the run has committed a
     * transaction, then up to {@value #STEADY_KILL_MILLIS} ms more: they land while publishers
     * publish and commit and the handler follows them.
     *
     * @return the child's standard error
     */
    private String runAndKill(Path workDir, Durability durability, FlushSetting flush, int run) throws Exception {
        OutcomeLogTail tail = OutcomeLogTail.fromEnd(workDir.resolve(HarnessChild.OUTCOME_LOG));
        try (ChildJvm child = ChildJvm.start(HarnessChild.class, "run", workDir.toString(), durability.name(),
                flush.name(), Integer.toString(run))) {
            child.awaitReady(START_SECONDS);
            if (run % 2 == 0) {
                Thread.sleep(random.nextInt(RECOVERY_KILL_MILLIS));
            } else {
                assertThat(tail.awaitEntry("A ", Duration.ofSeconds(START_SECONDS)))
                        .as("run %d committed a transaction; stderr:%n%s", run, child.stderr()).isTrue();
                Thread.sleep(random.nextInt(STEADY_KILL_MILLIS));
            }
            assertThat(isAlive(child)).as("run %d ended before it was killed; stderr:%n%s", run, child.stderr())
                    .isTrue();
            child.kill9();
            return keepStderr(workDir, run, child);
        }
    }

    /**
     * Runs a child that publishes nothing and exits once every released message is processed.
     *
     * @return the child's standard error, for a failure message
     */
    private static String drain(Path workDir, Durability durability, FlushSetting flush, int run) throws Exception {
        try (ChildJvm child = ChildJvm.start(HarnessChild.class, "drain", workDir.toString(), durability.name(),
                flush.name(), Integer.toString(run))) {
            child.awaitReady(START_SECONDS);
            Optional<ProcessHandle> process = ProcessHandle.of(child.pid());
            if (process.isPresent()) {
                process.get().onExit().get(DRAIN_MINUTES, TimeUnit.MINUTES);
            }
            return keepStderr(workDir, run, child);
        }
    }

    /** Copies a child's standard error into the work directory, which is kept if the test fails. */
    private static String keepStderr(Path workDir, int run, ChildJvm child) throws IOException {
        String stderr = child.stderr();
        Files.writeString(workDir.resolve("child-" + run + ".err"), stderr);
        return stderr;
    }

    private static boolean isAlive(ChildJvm child) {
        return ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false);
    }
}
