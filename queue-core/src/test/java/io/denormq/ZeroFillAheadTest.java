package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.denormq.internal.journal.IoFaults;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.junit.jupiter.api.Test;

/**
 * A queue that flushes zero-fills the blocks it allocates ahead of the appender and forces them in
 * the background, so that a record's flush writes no block map: seen from the file system (no
 * unwritten extent left in the cycle file), and from the records (none is ever overwritten by the
 * zeros, across many allocations and concurrent committers).
 */
class ZeroFillAheadTest extends QueueTestSupport {
    private static final long CHRONICLE_HEAD = 512 << 10;
    /**
     * The first fill covers 8 MiB and 128 KiB from the first record's end; the reserve allocated beyond it
     * is filled as the appender nears it.
     */
    private static final long FIRST_FILL_END = 8L << 20;

    @Test
    void blocksAllocatedAheadAreWrittenNotLeftUnwritten() throws Exception {
        requireFilefrag();
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().flush(FlushPolicy.everyCommit()).handler("h", recorder));
        for (int i = 0; i < 20; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("m" + i));
                tx.commit(() -> { });
            }
        }
        Path cycleFile = onlyCycleFile();
        List<String> unwritten = unwrittenExtents(cycleFile);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!unwritten.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // the background force runs once the first allocation of the file was zero-filled
            unwritten = unwrittenExtents(cycleFile);
        }
        assertThat(unwritten).as("extents of %s ahead of the appender still unwritten (fallocated, never written) 20 s "
                + "after 20 commits: a flush of a record in one of them also writes the file's block map", cycleFile)
                .isEmpty();
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize(20);
    }

    @Test
    void zerosNeverOverwriteARecordAcrossManyAllocations() throws Exception {
        int committers = 4;
        int perCommitter = 1_500;
        int payloadBytes = 4_000; // 24 MB in all: three allocation chunks and more, while committers race
        ConcurrentHashMap<Long, Boolean> intact = new ConcurrentHashMap<>();
        List<String> damaged = new ArrayList<>();
        MessageHandler checker = message -> {
            long id = intactId(message, payloadBytes);
            if (id >= 0) {
                intact.put(id, Boolean.TRUE);
            } else {
                synchronized (damaged) {
                    damaged.add("message " + ByteBuffer.wrap(message.payload()).getLong() + " at sequence "
                            + message.sequence());
                }
            }
        };
        DenormQueue queue = open(builder().flush(FlushPolicy.periodic(Duration.ofMillis(2))).handler("h", checker));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < committers; t++) {
            int committer = t;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < perCommitter; i++) {
                        long id = (long) committer * perCommitter + i;
                        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                            queue.publish("t", Long.toString(id), payload(id, payloadBytes));
                            tx.commit(() -> { });
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertThat(failures).isEmpty();
        awaitProcessed(queue);
        queue.close();
        assertThat(damaged).as("messages whose bytes changed after they were journaled").isEmpty();
        assertThat(intact).as("messages delivered intact").hasSize(committers * perCommitter);

        // and read back from the files after a restart: the handler rebuilt from the journal's start
        ConcurrentHashMap<Long, Boolean> replayed = new ConcurrentHashMap<>();
        DenormQueue reopened = open(builder().flush(FlushPolicy.periodic(Duration.ofMillis(2)))
                .handler("h", message -> {
                    long id = intactId(message, payloadBytes);
                    if (id >= 0) {
                        replayed.put(id, Boolean.TRUE);
                    }
                }).rebuild("h"));
        awaitProcessed(reopened);
        assertThat(replayed).as("messages read back intact after a restart").hasSize(committers * perCommitter);
    }

    @Test
    void theFillKeepsTheIndexArrayChronicleWritesAfterTheFirstRecordOfABlock() throws Exception {
        // FAST_DAILY: index arrays of 4 096 entries, one entry every 256 records. The record that opens a new
        // array's block is followed by that array, written when the record's document closes; when it is a
        // process's first record of the day, the allocation right after it fills from that record's end.
        int recordsPerIndexArray = 4096 * 256;
        RunningClock noon = new RunningClock(Instant.parse("2026-06-15T12:00:00Z"));
        byte[] filler = {JournalRecordDescriptor.KIND_BATCH, 1, 2, 3, 4, 5, 6, 7};
        Files.createDirectories(journalDir);
        try (Journal journal = Journal.open(journalDir, false, noon)) {
            for (int i = 0; i < recordsPerIndexArray; i++) {
                journal.append(filler, filler.length);
            }
        }
        int after = 600; // past two entries of the new array
        long[] indexes = new long[after];
        try (Journal journal = Journal.open(journalDir, false, noon)) {
            journal.zeroFillAhead(task -> new Thread(task, "zero-fill-test"));
            for (int i = 0; i < after; i++) {
                byte[] record = numbered(i);
                indexes[i] = journal.append(record, record.length);
            }
            assertThat(journal.cycleOf(indexes[0])).isEqualTo(journal.cycleOf(indexes[after - 1]));
        }
        try (Journal journal = Journal.open(journalDir, true, noon)) {
            ExcerptTailer tailer = journal.createTailer();
            for (int i = after - 1; i >= 0; i--) { // by index, backwards: every lookup goes through the index arrays
                assertThat(Journal.readAt(tailer, indexes[i])).as("record %d after the restart, at index %x", i,
                        indexes[i]).isEqualTo(numbered(i));
            }
        }
    }

    @Test
    void aFailedBackgroundForceFailsTheNextFlush() throws Exception {
        AtomicBoolean injected = new AtomicBoolean();
        IoFaults.install(site -> site == IoFaults.Site.FLUSH && Thread.currentThread().getName().equals("denormq-space")
                && injected.compareAndSet(false, true));
        try {
            Recorder recorder = new Recorder();
            DenormQueue queue = open(builder().flush(FlushPolicy.everyCommit()).handler("h", recorder));
            List<String> committed = new ArrayList<>();
            List<Throwable> failed = new ArrayList<>();
            for (int i = 0; i < 200 && failed.isEmpty(); i++) {
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish("t", "k", utf8("m" + i));
                    tx.commit(() -> { });
                    committed.add("m" + i);
                } catch (JournalException e) {
                    failed.add(e);
                }
                Thread.sleep(5);
            }
            assertThat(injected).as("the background force ran and failed").isTrue();
            assertThat(failed).as("a commit whose flush ended after the background force failed").hasSize(1);
            assertThat(failed.get(0)).hasMessageContaining("zero-filled");
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("after"));
                tx.commit(() -> { });
                committed.add("after");
            }
            awaitProcessed(queue);
            assertThat(recorder.payloads()).as("what committed, and nothing of the commit that failed")
                    .containsExactlyElementsOf(committed);
        } finally {
            IoFaults.install(null);
        }
    }

    private static byte[] numbered(int i) {
        byte[] record = new byte[40];
        record[0] = JournalRecordDescriptor.KIND_BATCH;
        ByteBuffer.wrap(record).putInt(1, i);
        for (int b = 5; b < record.length; b++) {
            record[b] = (byte) (i * 13 + b);
        }
        return record;
    }

    /** @return the id of a message whose payload is {@link #payload} of that id, or -1 if any byte differs */
    private static long intactId(Message message, int length) {
        byte[] payload = message.payload();
        long id = ByteBuffer.wrap(payload).getLong();
        return Arrays.equals(payload, payload(id, length)) ? id : -1;
    }

    /** A payload whose every byte depends on its message id: the first 8 bytes are the id itself. */
    private static byte[] payload(long id, int length) {
        byte[] bytes = new byte[length];
        ByteBuffer.wrap(bytes).putLong(id);
        for (int i = 8; i < length; i++) {
            bytes[i] = (byte) (id * 31 + i * 7 + 1); // never a run of zeros
        }
        return bytes;
    }

    private Path onlyCycleFile() throws IOException {
        try (Stream<Path> files = Files.list(journalDir)) {
            List<Path> cycles = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).toList();
            assertThat(cycles).hasSize(1);
            return cycles.get(0);
        }
    }

    /**
     * @return the lines of {@code filefrag -v} naming an unwritten extent between the first
     *         {@value #CHRONICLE_HEAD} bytes (Chronicle's header and first index arrays lie there, partly
     *         never written: Chronicle fills them in itself, and they are not part of a record's flush; this
     *         test's records end well before it) and the end of the first fill
     */
    private static List<String> unwrittenExtents(Path file) throws Exception {
        Process filefrag = new ProcessBuilder("filefrag", "-v", "-b4096", file.toString()).redirectErrorStream(true)
                .start();
        String output = new String(filefrag.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(filefrag.waitFor()).as("filefrag -v %s:%n%s", file, output).isZero();
        return output.lines().filter(line -> line.contains("unwritten"))
                .filter(line -> block(line, false) * 4096 >= CHRONICLE_HEAD && block(line, true) * 4096 < FIRST_FILL_END)
                .toList();
    }

    /**
     * @return the first or last 4 KiB block of an extent line
     *         ({@code "  3:   9..  15:  17993259..  17993265:  7:  unwritten"})
     */
    private static long block(String extent, boolean first) {
        String logical = extent.split(":")[1].trim();
        int dots = logical.indexOf("..");
        return Long.parseLong((first ? logical.substring(0, dots) : logical.substring(dots + 2)).trim());
    }

    /**
     * filefrag (e2fsprogs) must be installed and the temporary directory's file system must map
     * extents (ext4, XFS, btrfs; not tmpfs). Under {@code CI=true} a missing one fails the test.
     */
    private void requireFilefrag() throws Exception {
        String missing = null;
        try {
            Path probe = Files.createDirectories(journalDir.getParent()).resolve("probe");
            Files.write(probe, new byte[8192]);
            Process filefrag = new ProcessBuilder("filefrag", "-v", probe.toString()).redirectErrorStream(true).start();
            String output = new String(filefrag.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (filefrag.waitFor() != 0 || output.contains("unsupported") || output.contains("not supported")) {
                missing = "filefrag cannot map extents of " + probe + ": " + output.trim();
            }
        } catch (IOException e) {
            missing = "filefrag is not installed (" + e.getMessage() + ")";
        }
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + missing + ". Install e2fsprogs with: bash .ci/fuse, and keep "
                    + "java.io.tmpdir on a disk file system");
        }
        assumeTrue(false, missing);
    }
}
