package io.denormq.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.denormq.JournalException;
import io.denormq.QueueTestSupport;
import io.denormq.powercut.PowerCutFileSystem;
import io.denormq.powercut.PowerCutFileSystem.Metadata;
import io.denormq.powercut.PowerCutFileSystem.PageCache;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;

/**
 * The disk fails the writes of a flush, then works again. Linux reports the failure once and holds the
 * pages as written, so a later flush that succeeds writes nothing of them: the record whose flush
 * failed is never on the disk, and after a power cut the hole where its header should be hides every
 * record behind it, including one whose flush succeeded. Every record appended before a flush that
 * succeeded must be on the disk at the cut, the one whose first flush failed included (the journal
 * writes its pages again). Runs on {@link PowerCutFileSystem} (FUSE), which fails writes with EIO on
 * demand; under {@code CI=true} its absence fails the test.
 */
class FailedWriteBackJournalTest {

    @Test
    void aFlushAfterAFailedOneMakesEverythingAppendedBeforeItDurable() throws Exception {
        PowerCutFileSystem.requireAvailable("Failed write-back test");
        Path base = Files.createTempDirectory("failed-write-back-");
        Path atTheCut = base.resolve("disk-at-the-cut");
        try {
            try (PowerCutFileSystem fs = PowerCutFileSystem.mount(base.resolve("durable"), base.resolve("mnt"),
                    Metadata.POSIX, PageCache.KEPT)) {
                Path dir = fs.mountPoint().resolve("journal");
                Files.createDirectories(dir);
                try (Journal journal = Journal.open(dir, false)) {
                    journal.append(record('A', 100), 100);
                    journal.forceAll();
                    fs.failNextWrites(Long.MAX_VALUE);
                    journal.append(record('B', 3 * 4096), 3 * 4096);
                    assertThatThrownBy(journal::forceAll).isInstanceOf(JournalException.class);
                    fs.failNextWrites(0);
                    int staleErrors = 0;
                    while (true) { // a write-back that failed after the first report is reported once more
                        try {
                            journal.forceAll();
                            break;
                        } catch (JournalException reportedAgain) {
                            assertThat(++staleErrors).as("flushes failing after the disk works again").isLessThan(5);
                        }
                    }
                    journal.append(record('C', 100), 100);
                    journal.forceAll();
                    System.out.println("failed write-back, journal: " + fs.stats());
                    fs.copyDurableImage(atTheCut);
                }
                BackgroundResourceReleaser.releasePendingResources();
            }
            try (PowerCutFileSystem fs = PowerCutFileSystem.mount(atTheCut, base.resolve("mnt2"),
                    Metadata.POSIX, PageCache.KEPT);
                 Journal journal = Journal.open(fs.mountPoint().resolve("journal"), true)) {
                ExcerptTailer tailer = journal.createTailer();
                List<String> read = new ArrayList<>();
                while (true) {
                    try (DocumentContext context = tailer.readingDocument()) {
                        if (!context.isPresent()) {
                            break;
                        }
                        byte[] bytes = context.wire().bytes().toByteArray();
                        read.add((char) bytes[0] + "x" + bytes.length);
                    }
                }
                assertThat(read).as("records on the disk at the power cut, by kind and length")
                        .containsExactly("Ax100", "Bx12288", "Cx100");
            }
        } finally {
            BackgroundResourceReleaser.releasePendingResources();
            QueueTestSupport.deleteRecursively(base);
        }
    }

    private static byte[] record(char fill, int length) {
        byte[] record = new byte[length];
        Arrays.fill(record, (byte) fill);
        return record;
    }

}
