package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.denormq.internal.journal.CheckpointDescriptor;
import org.junit.jupiter.api.Test;

/**
 * Damaged journal files: each either recovers by replaying more (never less) or refuses to start
 * with an exception naming the file and what to do.
 */
class DamagedFilesTest extends QueueTestSupport {

    /** Three messages processed by "h" and then closed: the checkpoint holds h's cursor past them. */
    private void processThreeMessages() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = builder().handler("h", recorder).build();
        for (int i = 1; i <= 3; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        queue.close();
        assertThat(recorder.payloads()).containsExactly("m1", "m2", "m3");
    }

    private Path checkpointFile() {
        return journalDir.resolve(CheckpointDescriptor.FILE_NAME);
    }

    private List<String> restartAndCollect() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        queue.publish("t", "k", utf8("after-restart"));
        awaitProcessed(queue);
        return recorder.payloads();
    }

    @Test
    void shouldReplayEverythingWhenTheCheckpointFileWasDeleted() throws Exception {
        processThreeMessages();
        Files.delete(checkpointFile());
        assertThat(restartAndCollect()).as("cursors lost: replay all, never skip")
                .containsExactly("m1", "m2", "m3", "after-restart");
    }

    @Test
    void shouldStillReplayEverythingAfterAFailedStartWhenTheCheckpointFileWasMovedAway() throws Exception {
        Recorder first = new Recorder();
        DenormQueue queue = builder().handler("h", first).build();
        for (int i = 1; i <= 10; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        queue.close();
        assertThat(first.payloads()).hasSize(10);
        Files.move(checkpointFile(), checkpointFile().resolveSibling("checkpoint.dat.damaged"));
        // a start that fails for another reason: the day file the manifest names is missing
        Path dayFile = onlyCycleFile();
        Path saved = journalDir.getParent().resolve(dayFile.getFileName() + ".saved");
        Files.move(dayFile, saved);
        assertThatThrownBy(() -> builder().handler("h", new Recorder()).build())
                .isInstanceOf(JournalException.class).hasMessageContaining("is missing");
        assertThat(checkpointFile()).as("the failed start left no checkpoint behind").doesNotExist();
        assertThat(journalDir.resolve(io.denormq.internal.journal.CheckpointFile.PENDING_FILE_NAME)).doesNotExist();

        Files.move(saved, dayFile);
        Recorder recorder = new Recorder();
        DenormQueue restored = open(builder().handler("h", recorder));
        awaitProcessed(restored);
        assertThat(recorder.payloads()).as("cursors still lost: every message replayed")
                .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10");
    }

    private Path onlyCycleFile() throws java.io.IOException {
        try (var files = Files.list(journalDir)) {
            List<Path> cycles = files.filter(file -> file.getFileName().toString().endsWith(".cq4")).toList();
            assertThat(cycles).hasSize(1);
            return cycles.get(0);
        }
    }

    @Test
    void shouldRefuseATruncatedCheckpointFileAndReplayOnceItIsMovedAway() throws Exception {
        processThreeMessages();
        try (var channel = Files.newByteChannel(checkpointFile(), StandardOpenOption.WRITE)) {
            channel.truncate(1000);
        }
        assertRefusedNamingTheFile();
        Files.move(checkpointFile(), checkpointFile().resolveSibling("checkpoint.dat.damaged"));
        assertThat(restartAndCollect()).containsExactly("m1", "m2", "m3", "after-restart");
    }

    @Test
    void shouldRefuseAZeroFilledCheckpointFile() throws Exception {
        processThreeMessages();
        Files.write(checkpointFile(), new byte[CheckpointDescriptor.FILE_LENGTH]);
        assertRefusedNamingTheFile();
    }

    private void assertRefusedNamingTheFile() {
        for (int attempt = 0; attempt < 2; attempt++) { // the second attempt proves the first released its lock
            assertThatThrownBy(() -> builder().handler("h", new Recorder()).build())
                    .isInstanceOf(IncompatibleJournalException.class)
                    .hasMessageContaining(checkpointFile().toString())
                    .hasMessageContaining("Move it away");
        }
    }

    @Test
    void shouldRecoverFromAnExcerptTornByACrashMidAppend() throws Exception {
        try (ChildJvm child = ChildJvm.start(CrashChild.class, "torn", journalDir.toString(), "5")) {
            child.awaitReady(60);
            assertThat(child.waitForExit(60)).as("the child halted itself mid-append").isTrue();
        }
        long start = System.nanoTime();
        List<String> delivered = restartAndCollect();
        assertThat(delivered).as("the five released before the torn excerpt, then the new one")
                .containsExactly("0", "1", "2", "3", "4", "after-restart");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("no endless wait").isLessThan(120);
    }

    @Test
    void shouldRefuseAJournalWithACycleFileMissingInTheMiddle() throws Exception {
        net.openhft.chronicle.core.time.SetTimeProvider clock =
                new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-10-01T12:00:00Z"));
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        DenormQueue queue = builder().clock(clock).shutdownTimeout(java.time.Duration.ZERO)
                .handler("h", message -> never.await()).build();
        for (int day = 1; day <= 3; day++) {
            queue.publish("t", "k", utf8("day-" + day));
            clock.advanceMillis(TimeUnit.DAYS.toMillis(1));
        }
        queue.close();
        Path middle = journalDir.resolve("20261002F.cq4");
        Files.move(middle, journalDir.getParent().resolve("20261002F.cq4.saved"));

        assertThatThrownBy(() -> builder().clock(clock).handler("h", new Recorder()).build())
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("cycle file 20261002F.cq4 (records of 2026-10-02) is missing")
                .hasMessageContaining("Restore the file from a backup")
                .hasMessageContaining("remove the line '20728'");

        Files.move(journalDir.getParent().resolve("20261002F.cq4.saved"), middle);
        Recorder recorder = new Recorder();
        DenormQueue restored = open(builder().clock(clock).handler("h", recorder));
        awaitProcessed(restored);
        assertThat(recorder.payloads()).containsExactly("day-1", "day-2", "day-3");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "header word {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 0x80000100})
    void shouldSetAsideADayFileWhoseCreationWasCutShortByACrash(int headerWord) throws Exception {
        net.openhft.chronicle.core.time.SetTimeProvider clock =
                new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-10-01T12:00:00Z"));
        DenormQueue first = builder().clock(clock).handler("h", new Recorder()).build();
        first.publish("t", "k", utf8("day-1"));
        awaitProcessed(first);
        first.close();
        // what a kill -9 while Chronicle created the next day's file leaves: zeros, or a header still "being written"
        byte[] unfinished = new byte[1 << 20];
        java.nio.ByteBuffer.wrap(unfinished).order(java.nio.ByteOrder.nativeOrder()).putInt(0, headerWord);
        Files.write(journalDir.resolve("20261002F.cq4"), unfinished);
        // the journal lists a day before it creates the day's file
        Files.writeString(journalDir.resolve("denormq.cycles"),
                java.time.LocalDate.parse("2026-10-02").toEpochDay() + "\n", java.nio.file.StandardOpenOption.APPEND);
        clock.advanceMillis(TimeUnit.DAYS.toMillis(1));

        Recorder recorder = new Recorder();
        DenormQueue reopened = open(builder().clock(clock).handler("h", recorder));
        reopened.publish("t", "k", utf8("day-2"));
        awaitProcessed(reopened);
        assertThat(recorder.payloads()).containsExactly("day-2");
        try (var files = Files.list(journalDir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("20261002F.cq4.unfinished-"));
        }
    }

    @Test
    void shouldNameRetiredHandlersAndDropTheirCursorsOnRequest() throws Exception {
        DenormQueue first = builder().handler("retired", message -> { }).handler("kept", message -> { }).build();
        first.publish("t", "k", utf8("m"));
        awaitProcessed(first);
        first.close();

        DenormQueue second = builder().handler("kept", message -> { }).build();
        assertThat(second.cursors()).containsOnlyKeys("kept");
        second.close();
        assertThat(cursorNames()).contains("retired", "kept");

        assertThatThrownBy(() -> builder().handler("kept", message -> { }).dropCursor("kept").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'kept' is a registered handler");
        builder().handler("kept", message -> { }).dropCursor("retired").build().close();
        assertThat(cursorNames()).containsExactly("kept");
    }

    private List<String> cursorNames() {
        try (var checkpoint = io.denormq.internal.journal.CheckpointFile.open(journalDir, true)) {
            return checkpoint.entries().stream().map(io.denormq.internal.journal.CheckpointFile.Entry::handler).toList();
        }
    }
}
