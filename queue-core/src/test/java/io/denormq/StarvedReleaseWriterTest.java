package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.denormq.internal.journal.JournalFormat;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * While transactions complete back to back, committing threads hand their outcomes to the release
 * writer's thread, which journals them together. That thread may not get a core when its interval
 * ends: on a busy machine other threads hold them. A committed message must not wait for it longer
 * than a couple of intervals while commits keep coming: a later committer finding an outcome overdue
 * journals it itself.
 *
 * <p>The thread is kept from running for real: {@code strace} attaches to it alone and delays the
 * return of each of its {@code futex} calls (its parks) by a minute, so once woken it does not run
 * again until the test detaches. Needs strace ({@code bash .ci/fuse} installs it); under
 * {@code CI=true} its absence fails the test.
 */
class StarvedReleaseWriterTest extends QueueTestSupport {
    private static final int BURST = 20;
    private static final int HANDED_OVER = 8;
    private static final long COMMIT_GAP_MILLIS = 2;

    @Test
    void aCommitterJournalsHandedOverOutcomesThatTheStarvedWriterLeftWaiting() throws Exception {
        Strace.require("Starved release writer test");
        List<String> handled = new ArrayList<>();
        DenormQueue queue = open(builder().handler("h", message -> {
            synchronized (handled) {
                handled.add(message.payload(Codecs.utf8()));
            }
        }));
        // back to back until the writer raised the format marker that allows RELEASES records
        for (int i = 0; i < 1_000 && !releasesAllowed(); i++) {
            commit(queue, "warm-" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!releasesAllowed() && System.nanoTime() < deadline) {
            commit(queue, "warm");
            commit(queue, "warm");
            Thread.sleep(10);
        }
        assertThat(releasesAllowed()).as("format marker raised").isTrue();
        awaitProcessed(queue);
        Thread.sleep(50); // the writer stops collecting and parks

        Process freeze = freezeAfterItsNextWakeUp(nativeThreadId("denormq-release"));
        try {
            List<String> expected = new ArrayList<>();
            // outcomes within a few µs of each other: collecting starts, and from then on they are handed over (16
            // of them waiting are written by the committer that finds them, so some are left waiting whatever
            // commit started collecting)
            for (int i = 0; i < BURST; i++) {
                commit(queue, "burst-" + i);
                expected.add("burst-" + i);
            }
            for (int i = 0; i < HANDED_OVER; i++) {
                Thread.sleep(COMMIT_GAP_MILLIS);
                commit(queue, "handed-" + i);
                expected.add("handed-" + i);
            }
            Thread.sleep(50);
            List<String> seen;
            synchronized (handled) {
                seen = List.copyOf(handled);
            }
            // the last outcome handed over may wait for the writer: no commit came after it
            assertThat(seen).as("handled 50 ms after the last commit, the writer's thread kept from running")
                    .containsAll(expected.subList(0, expected.size() - 1));
        } finally {
            freeze.destroy(); // strace detaches: the writer runs again
            freeze.waitFor();
        }
        awaitProcessed(queue);
    }

    private static void commit(DenormQueue queue, String payload) throws Exception {
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8(payload));
            tx.commit(() -> { });
        }
    }

    private boolean releasesAllowed() throws IOException {
        Path marker = journalDir.resolve(JournalFormat.FILE_NAME);
        return Files.exists(marker) && Files.readString(marker).trim().equals("denormq-journal-format=3");
    }

    /**
     * The kernel's id of this process's thread whose name starts with {@code prefix} (as truncated to 15
     * characters); a thread names itself to the kernel once it runs, so this waits for it.
     */
    private static long nativeThreadId(String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Long> ids = threadsNamed(prefix);
        while (ids.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
            ids = threadsNamed(prefix);
        }
        assertThat(ids).as("threads named " + prefix).hasSize(1);
        return ids.get(0);
    }

    private static List<Long> threadsNamed(String prefix) throws IOException {
        String comm = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            List<Long> ids = new ArrayList<>();
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().startsWith(comm)) {
                        ids.add(Long.parseLong(task.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
            return ids;
        }
    }

    /**
     * Attaches {@code strace} to one thread: each of its {@code futex} calls returns a minute late.
     *
     * @return the {@code strace} process, attached; destroying it lets the thread go
     */
    private static Process freezeAfterItsNextWakeUp(long thread) throws IOException {
        Process strace = new ProcessBuilder("strace", "-o", "/dev/null", "-p", Long.toString(thread), "-e", "trace=futex",
                "-e", "inject=futex:delay_exit=" + TimeUnit.MINUTES.toMicros(1)).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(strace.getInputStream(), StandardCharsets.UTF_8));
        String line = output.readLine();
        assertThat(line).as("strace attaching to thread " + thread).isNotNull().contains("attached");
        return strace;
    }
}
