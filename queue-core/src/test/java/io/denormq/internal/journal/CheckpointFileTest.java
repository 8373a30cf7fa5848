package io.denormq.internal.journal;

import static io.denormq.internal.journal.CheckpointDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.denormq.IncompatibleJournalException;
import io.denormq.JournalException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file written, closed and read back, in the layout {@link CheckpointDescriptor} describes. */
class CheckpointFileTest {
    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve(FILE_NAME);
    }

    private void createWithCursors() {
        try (CheckpointFile checkpoint = CheckpointFile.openOrCreate(directory)) {
            assertThat(checkpoint.wasCreated()).isTrue();
            int totals = checkpoint.slotFor("totals", 0, 1, NOTHING);
            int audit0 = checkpoint.slotFor("audit", 0, 2, NOTHING);
            int audit1 = checkpoint.slotFor("audit", 1, 2, 0x77);
            assertThat(checkpoint.slotFor("totals", 0, 1, 5)).as("found again, not allocated").isEqualTo(totals);
            assertThat(audit1).isNotEqualTo(audit0);
            checkpoint.putCursor(totals, 0x1234_0000_0001L);
            checkpoint.putRecoveryLowWater(0x99);
            checkpoint.install();
        }
    }

    @Test
    void shouldReadBackCursorsAndLowWaterAfterClose() {
        createWithCursors();
        assertThat(directory.resolve(CheckpointFile.PENDING_FILE_NAME)).doesNotExist();
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, true)) {
            assertThat(checkpoint.recoveryLowWater()).isEqualTo(0x99);
            assertThat(checkpoint.entries()).extracting(CheckpointFile.Entry::handler, CheckpointFile.Entry::partition,
                            CheckpointFile.Entry::partitionCount, CheckpointFile.Entry::cursor)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("totals", 0, 1, 0x1234_0000_0001L),
                            org.assertj.core.groups.Tuple.tuple("audit", 0, 2, NOTHING),
                            org.assertj.core.groups.Tuple.tuple("audit", 1, 2, 0x77L));
        }
    }

    @Test
    void shouldLayTheHeaderAndSlotsOutAsTheDescriptorSays() throws Exception {
        createWithCursors();
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file())).order(BYTE_ORDER);
        assertThat(bytes.capacity()).isEqualTo(FILE_LENGTH);
        assertThat(bytes.getLong(MAGIC_OFFSET)).isEqualTo(MAGIC);
        assertThat(new String(Files.readAllBytes(file()), 0, 8, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("DNMQCKPT");
        assertThat(bytes.getInt(VERSION_OFFSET)).isEqualTo(FORMAT_VERSION);
        assertThat(bytes.getInt(SLOT_COUNT_OFFSET)).isEqualTo(SLOT_COUNT);
        assertThat(bytes.getLong(LOW_WATER_OFFSET)).isEqualTo(0x99);
        int slot = slotOffset(0);
        assertThat(bytes.getInt(slot + STATE_OFFSET)).isEqualTo(STATE_IN_USE);
        assertThat(bytes.getLong(slot + CURSOR_OFFSET)).isEqualTo(0x1234_0000_0001L);
        assertThat(bytes.getInt(slot + NAME_LENGTH_OFFSET)).isEqualTo(6);
        assertThat(bytes.getInt(slot + PARTITION_COUNT_OFFSET)).isEqualTo(1);
        byte[] name = new byte[6];
        bytes.get(slot + NAME_OFFSET, name);
        assertThat(new String(name, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("totals");
        assertThat(bytes.getInt(slotOffset(3) + STATE_OFFSET)).isEqualTo(STATE_FREE);
    }

    @Test
    void shouldDropEveryPartitionOfAHandlerDurably() {
        createWithCursors();
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, false)) {
            assertThat(checkpoint.dropCursors("audit")).extracting(CheckpointFile.Entry::partition).containsExactly(0, 1);
            assertThat(checkpoint.dropCursors("audit")).isEmpty();
        }
        try (CheckpointFile checkpoint = CheckpointFile.open(directory, true)) {
            assertThat(checkpoint.entries()).extracting(CheckpointFile.Entry::handler).containsExactly("totals");
        }
    }

    @Test
    void shouldDeleteACreatedFileThatWasNeverInstalled() {
        try (CheckpointFile checkpoint = CheckpointFile.openOrCreate(directory)) {
            checkpoint.slotFor("totals", 0, 1, NOTHING);
        }
        assertThat(file()).doesNotExist();
        assertThat(directory.resolve(CheckpointFile.PENDING_FILE_NAME)).doesNotExist();
        assertThatThrownBy(() -> CheckpointFile.open(directory, true)).isInstanceOf(JournalException.class)
                .hasMessageContaining("no checkpoint file");
    }

    @Test
    void shouldRefuseADamagedOrForeignFile() throws Exception {
        createWithCursors();
        try (var channel = java.nio.channels.FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(BYTE_ORDER).putInt(0, FORMAT_VERSION + 1), VERSION_OFFSET);
        }
        assertThatThrownBy(() -> CheckpointFile.open(directory, true)).isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining("format version " + (FORMAT_VERSION + 1));
        try (var channel = java.nio.channels.FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).putLong(0, 42), MAGIC_OFFSET);
        }
        assertThatThrownBy(() -> CheckpointFile.open(directory, true)).isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining("no denormq header");
        Files.write(file(), new byte[100]);
        assertThatThrownBy(() -> CheckpointFile.openOrCreate(directory)).isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining("is 100 bytes, expected " + FILE_LENGTH);
    }
}
