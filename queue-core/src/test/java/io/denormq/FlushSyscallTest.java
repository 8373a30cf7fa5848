package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@link FlushPolicy#everyCommit()} seen from the operating system: a child JVM, traced with
 * {@code strace -f -y -e trace=openat,fsync,fdatasync,mmap,munmap,msync}, commits one transaction after another from one
 * thread (each commit waits for its own flush) and calls {@code stats()} and {@code awaitProcessed}
 * half-way. Every commit must be followed by a sync of the journal's cycle file. Needs strace
 * ({@code bash .ci/fuse} installs it); under {@code CI=true} its absence fails the test.
 */
class FlushSyscallTest extends QueueTestSupport {
    private static final int COMMITS = 200;

    @Test
    void shouldSyncTheCycleFileForEveryCommitAfterStatsWasCalled() throws Exception {
        Strace.require("Flush syscall test");
        Path trace = journalDir.resolveSibling("strace.out");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-y", "-qq", "-e", "trace=openat,fsync,fdatasync,mmap,munmap,msync",
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
        long cycleFileSyncs = cycleFileSyncs(Files.readAllLines(trace, StandardCharsets.UTF_8));
        System.out.printf("flush syscalls: %d commits under everyCommit, %d fsync/fdatasync/msync of a cycle file%n",
                COMMITS, cycleFileSyncs);
        assertThat(cycleFileSyncs).as("fsync/fdatasync/msync calls on the journal's cycle file for %d commits, stats() "
                + "and awaitProcessed() having been called after %d", COMMITS, COMMITS / 2).isGreaterThanOrEqualTo(COMMITS);
    }

    /**
     * Counts the syncs of a cycle file in an strace log: fsync/fdatasync of its descriptor, and
     * synchronous msyncs of an address inside a mapping of it made through a descriptor opened for
     * writing (strace names the file of an mmap's descriptor, not of an msync's address; and Linux
     * ignores msync on a shared mapping of a file opened read-only).
     */
    static long cycleFileSyncs(List<String> trace) {
        Map<String, String> unfinished = new HashMap<>();
        TreeMap<Long, long[]> mappings = new TreeMap<>(); // start -> {end, 1 if of a cycle file opened for writing}
        Map<String, Boolean> openedForWriting = new HashMap<>();
        long syncs = 0;
        for (String raw : trace) {
            Matcher split = Pattern.compile("^(\\d+)\\s+(.*)$").matcher(raw);
            if (!split.matches()) {
                continue;
            }
            String pid = split.group(1);
            String call = split.group(2);
            if (call.endsWith("<unfinished ...>")) {
                unfinished.put(pid, call.substring(0, call.length() - "<unfinished ...>".length()));
                continue;
            }
            Matcher resumed = Pattern.compile("^<\\.\\.\\. \\w+ resumed>(.*)$").matcher(call);
            if (resumed.matches()) {
                call = unfinished.getOrDefault(pid, "").trim() + resumed.group(1);
                unfinished.remove(pid);
            }
            call = call.replaceAll("\\s+", " "); // strace pads the result of a resumed call
            Matcher open = Pattern.compile("^openat\\(.*, (O_[A-Z_|]+)(, \\d+)?\\) = (\\d+)<.*$").matcher(call);
            Matcher mmap = Pattern.compile("^mmap\\([^,]*, (\\d+), [^,]*, [^,]*, (-?\\d+)(<[^>]*>)?, .*\\) = 0x([0-9a-f]+)$")
                    .matcher(call);
            Matcher munmap = Pattern.compile("^munmap\\(0x([0-9a-f]+), (\\d+)\\) = 0$").matcher(call);
            if (open.matches()) {
                openedForWriting.put(open.group(3), open.group(1).contains("O_RDWR") || open.group(1).contains("O_WRONLY"));
            } else if (mmap.matches()) {
                boolean cycleFile = mmap.group(3) != null && mmap.group(3).endsWith("F.cq4>")
                        && openedForWriting.getOrDefault(mmap.group(2), false);
                long start = Long.parseUnsignedLong(mmap.group(4), 16);
                mappings.put(start, new long[] {start + Long.parseLong(mmap.group(1)), cycleFile ? 1 : 0});
            } else if (munmap.matches()) {
                mappings.remove(Long.parseUnsignedLong(munmap.group(1), 16));
            } else if (call.matches("^(fsync|fdatasync)\\(\\d+<[^>]*F\\.cq4>\\).*")) {
                syncs++;
            } else {
                Matcher msync = Pattern.compile("^msync\\(0x([0-9a-f]+), \\d+, MS_SYNC\\) = 0$").matcher(call);
                if (msync.matches()) {
                    long address = Long.parseUnsignedLong(msync.group(1), 16);
                    Map.Entry<Long, long[]> mapping = mappings.floorEntry(address);
                    if (mapping != null && address < mapping.getValue()[0] && mapping.getValue()[1] == 1) {
                        syncs++;
                    }
                }
            }
        }
        return syncs;
    }
}
