package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link FlushPolicy#everyCommit()} seen from the operating system: a child JVM, traced with
 * {@code strace -f -y -e trace=fsync,fdatasync,msync}, commits one transaction after another from one
 * thread (each commit waits for its own flush) and calls {@code stats()} and {@code awaitProcessed}
 * half-way. Every commit must be followed by a sync of the journal's cycle file. Needs strace
 * ({@code bash .ci/fuse} installs it); under {@code CI=true} its absence fails the test.
 */
class FlushSyscallTest extends QueueTestSupport {
    private static final int COMMITS = 200;

    @Test
    void shouldSyncTheCycleFileForEveryCommitAfterStatsWasCalled() throws Exception {
        requireStrace();
        Path trace = journalDir.resolveSibling("strace.out");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,msync",
                "-o", trace.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String flags = System.getProperty("denormq.jvm.flags", "");
        if (!flags.isBlank()) {
            command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        }
        command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), FlushSyscallChild.class.getName(),
                journalDir.toString(), Integer.toString(COMMITS)));
        Path output = journalDir.resolveSibling("child.out");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the traced child finished").isTrue();
        assertThat(child.exitValue()).as("the traced child's exit status; output:%n%s",
                Files.readString(output, StandardCharsets.UTF_8)).isZero();
        long cycleFileSyncs = Files.readAllLines(trace, StandardCharsets.UTF_8).stream()
                .filter(line -> line.matches(".*(fsync|fdatasync)\\(\\d+<[^>]*F\\.cq4>\\).*"))
                .count();
        System.out.printf("flush syscalls: %d commits under everyCommit, %d fsync/fdatasync of a cycle file%n",
                COMMITS, cycleFileSyncs);
        assertThat(cycleFileSyncs).as("fsync/fdatasync calls on the journal's cycle file for %d commits, stats() "
                + "and awaitProcessed() having been called after %d", COMMITS, COMMITS / 2).isGreaterThanOrEqualTo(COMMITS);
    }

    private static void requireStrace() throws Exception {
        String missing = null;
        try {
            Process probe = new ProcessBuilder("strace", "-V").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            if (probe.waitFor() != 0) {
                missing = "strace -V failed";
            }
        } catch (java.io.IOException e) {
            missing = "strace is not installed (" + e.getMessage() + ")";
        }
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + missing + ". Install with: bash .ci/fuse");
        }
        Assumptions.abort("Flush syscall test skipped: " + missing + ". Install with: bash .ci/fuse (apt-get install -y strace)");
    }
}
