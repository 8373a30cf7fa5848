package io.denormq.powercut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link PowerCutFileSystem} keeps across a power cut: only what was synced, as a disk would.
 */
class PowerCutFileSystemTest {
    private static final long CHUNK = 64L << 20;

    private Path base;
    private PowerCutFileSystem fs;
    private Path mnt;

    @BeforeEach
    void mount() throws Exception {
        PowerCutFileSystem.requireAvailable("Power-cut tests");
        base = Files.createTempDirectory("powercutfs-test-");
        fs = PowerCutFileSystem.mount(base.resolve("durable"), base.resolve("mnt"));
        mnt = fs.mountPoint();
    }

    @AfterEach
    void unmount() throws Exception {
        if (fs != null) {
            fs.close();
        }
        io.denormq.QueueTestSupport.deleteRecursively(base);
    }

    @Test
    void shouldKeepOnlyWhatASharedMappingForcedOfASparseFile() throws Exception {
        Path file = mnt.resolve("journal.cq4");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            syncDirectory(mnt);
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, CHUNK);
            put(map, 0, "forced-through-the-mapping");
            put(map, 40 << 20, "forced-far-away");
            map.force(); // msync: write-back and FSYNC
            put(map, 8192, "written-after-the-force");
            channel.write(ByteBuffer.wrap(bytes("pwrite-after-the-force")), 100_000);
            // the kernel writes the dirty mapped page back (as it does on its own, under memory pressure
            // or after dirty_expire): it reaches the file system, which does not make it durable
            String before = fs.stats();
            assertThat(new ProcessBuilder("sync", "-f", mnt.toString()).start().waitFor()).isZero();
            assertThat(fs.stats()).as("statistics after a write-back").isNotEqualTo(before);
            // a sync of another file does not make this one durable
            Path other = mnt.resolve("other");
            Files.writeString(other, "other");
            try (FileChannel o = FileChannel.open(other, StandardOpenOption.WRITE)) {
                o.force(true);
            }
        }
        cutAndRemount();
        Path file2 = mnt.resolve("journal.cq4");
        assertThat(Files.size(file2)).isEqualTo(CHUNK);
        try (FileChannel channel = FileChannel.open(file2, StandardOpenOption.READ)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, CHUNK);
            assertThat(get(map, 0, 26)).isEqualTo("forced-through-the-mapping");
            assertThat(get(map, 40 << 20, 15)).isEqualTo("forced-far-away");
            assertThat(map.get(8192)).as("a mapped write after the force").isZero();
            assertThat(map.get(100_000)).as("a pwrite after the force").isZero();
        }
        assertThat(Files.exists(mnt.resolve("other"))).as("a file whose directory was not synced after its creation")
                .isFalse();
    }

    /**
     * What a journal must expect of the kernel when the disk fails a write-back: the flush reports the
     * error once; the pages stay in memory, readable through the mapping, but are held as written, so
     * the next flush succeeds without writing them, and after a power cut they are not on the disk.
     * Flushing again after an error is not enough to make data durable: only writing it again is.
     */
    @Test
    void shouldFailWritesOnDemandAndTheKernelShouldNotWriteTheirPagesAgain() throws Exception {
        Path file = mnt.resolve("f");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[4 * 4096]), 0);
            channel.force(true);
            syncDirectory(mnt);
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4 * 4096);
            put(map, 0, "written-back-in-vain");
            fs.failNextWrites(Long.MAX_VALUE);
            assertThatThrownBy(map::force).as("the flush whose write the disk failed")
                    .hasMessageContaining("Input/output error");
            fs.failNextWrites(0);
            assertThat(get(map, 0, 20)).as("the page, still in memory").isEqualTo("written-back-in-vain");
            long writesAfterTheFailure = writesReceived(fs.stats());
            map.force();
            channel.force(true);
            assertThat(writesReceived(fs.stats())).as("writes of a flush after the failure: the kernel holds the page as written")
                    .isEqualTo(writesAfterTheFailure);
            put(map, 4096, "written-again");
            map.force();
        }
        cutAndRemount();
        try (FileChannel channel = FileChannel.open(mnt.resolve("f"), StandardOpenOption.READ)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, 4 * 4096);
            assertThat(map.get(0)).as("the page whose write-back failed, flushed again since").isZero();
            assertThat(get(map, 4096, 13)).as("a page written after the failure").isEqualTo("written-again");
        }
    }

    @Test
    void shouldKeepWhatAForceOnAnotherDescriptorSynced() throws Exception {
        Path file = mnt.resolve("f");
        Files.writeString(file, "first");
        syncDirectory(mnt);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false); // what Journal.forceAll does: a new read-only channel
        }
        Files.writeString(file, "second", StandardOpenOption.APPEND);
        cutAndRemount();
        assertThat(Files.readString(mnt.resolve("f"))).isEqualTo("first");
    }

    @Test
    void shouldMakeEntriesDurableOnlyWithTheirDirectory() throws Exception {
        Files.writeString(mnt.resolve("old"), "old content");
        syncFile(mnt.resolve("old"));
        syncDirectory(mnt);
        // a new file, synced, renamed over the old one: the rename needs the directory's sync
        Files.writeString(mnt.resolve("new.tmp"), "new content");
        syncFile(mnt.resolve("new.tmp"));
        Files.move(mnt.resolve("new.tmp"), mnt.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
        Files.createDirectory(mnt.resolve("sub"));
        cutAndRemount();
        assertThat(Files.readString(mnt.resolve("old"))).isEqualTo("old content");
        assertThat(Files.exists(mnt.resolve("new.tmp"))).isFalse();
        assertThat(Files.exists(mnt.resolve("sub"))).isFalse();

        Files.writeString(mnt.resolve("new.tmp"), "new content");
        syncFile(mnt.resolve("new.tmp"));
        Files.move(mnt.resolve("new.tmp"), mnt.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(mnt);
        Files.delete(mnt.resolve("old")); // not synced: the file comes back
        cutAndRemount();
        assertThat(Files.readString(mnt.resolve("old"))).isEqualTo("new content");
        assertThat(Files.exists(mnt.resolve("new.tmp"))).isFalse();
    }

    @Test
    void shouldCommitEveryEntryWithAnySyncWhenMetadataIsOrdered() throws Exception {
        fs.close();
        fs = PowerCutFileSystem.mount(base.resolve("durable-ordered"), base.resolve("mnt-ordered"),
                PowerCutFileSystem.Metadata.ORDERED);
        mnt = fs.mountPoint();
        Files.createDirectories(mnt.resolve("a/b"));
        Files.writeString(mnt.resolve("a/b/unsynced"), "content never synced");
        Files.writeString(mnt.resolve("a/synced"), "synced content");
        syncFile(mnt.resolve("a/synced"));
        Files.writeString(mnt.resolve("after"), "created after the last sync");
        cutAndRemount();
        assertThat(Files.readString(mnt.resolve("a/synced"))).isEqualTo("synced content");
        assertThat(Files.size(mnt.resolve("a/b/unsynced"))).as("an entry committed with another file's sync").isZero();
        assertThat(Files.exists(mnt.resolve("after"))).isFalse();
    }

    @Test
    void shouldKeepTheSizeATruncationSynced() throws Exception {
        Path file = mnt.resolve("f");
        Files.writeString(file, "0123456789");
        syncFile(file);
        syncDirectory(mnt);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(4);
            channel.write(ByteBuffer.wrap(new byte[6]), 4); // back to 10 bytes, zeros
            channel.force(true);
        }
        cutAndRemount();
        byte[] content = Files.readAllBytes(mnt.resolve("f"));
        assertThat(content).hasSize(10);
        assertThat(new String(content, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("0123");
        assertThat(content[4]).isZero();
    }

    @Test
    void shouldMakeEverythingDurableOnSync() throws Exception {
        Files.createDirectories(mnt.resolve("a/b"));
        Files.writeString(mnt.resolve("a/b/f"), "content");
        fs.sync();
        cutAndRemount();
        assertThat(Files.readString(mnt.resolve("a/b/f"))).isEqualTo("content");
        assertThat(fs.log()).hasSize(1);
    }

    private void cutAndRemount() throws Exception {
        fs.cutPower();
        fs.remount();
    }

    private static void syncFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** @return the writes the file system received, successful or failed, from its statistics */
    private static long writesReceived(String stats) {
        Matcher written = Pattern.compile("(\\d+) writes \\(.*?, (\\d+) failed").matcher(stats);
        assertThat(written.find()).as("statistics " + stats).isTrue();
        return Long.parseLong(written.group(1)) + Long.parseLong(written.group(2));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void put(MappedByteBuffer map, int offset, String text) {
        map.put(offset, bytes(text));
    }

    private static String get(MappedByteBuffer map, int offset, int length) {
        byte[] out = new byte[length];
        map.get(offset, out);
        return new String(out, StandardCharsets.US_ASCII);
    }
}
