package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.denormq.powercut.PowerCutFileSystem;
import io.denormq.powercut.PowerCutFileSystem.Metadata;
import io.denormq.powercut.PowerCutFileSystem.PageCache;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The disk fails the writes of a flush (EIO from the file system, not an exception thrown in the
 * JVM): the commit waiting for that flush rolls back, the disk works again, commits go on, and then
 * the power goes. Every commit acknowledged before and after the failure must come back after the
 * cut, and the failed transaction's messages never. Write-back that fails leaves the kernel holding
 * pages the disk does not have; were they never written again, the failed batch's header would be
 * missing from the disk and every later record, committed or not, out of the readers' reach. A
 * commit whose release record was among the failed writes comes back as after a crash: released by
 * recovery, after the commits released before the cut.
 *
 * <p>Runs on {@link PowerCutFileSystem} (FUSE), which fails the writes it is told to with EIO; under
 * {@code CI=true} its absence fails the test.
 */
class FailedWriteBackTest extends QueueTestSupport {
    /**
     * @param messages     messages of the transaction whose flush fails
     * @param payloadBytes their size: a batch within one page, one of several pages (pages that no later
     *                     append writes again), one of pages spanning Chronicle's own chunk boundaries
     */
    @ParameterizedTest(name = "failed batch of {0} x {1} bytes")
    @CsvSource({"1, 100", "6, 4096", "3, 70000"})
    void shouldDeliverEveryCommitAcknowledgedAfterAFailedFlushOnceThePowerIsCut(int messages, int payloadBytes)
            throws Exception {
        PowerCutFileSystem.requireAvailable("Failed write-back test");
        Path base = journalDir.getParent();
        Path atTheCut = base.resolve("disk-at-the-cut");
        List<String> acknowledged = new ArrayList<>();
        try (PowerCutFileSystem fs = PowerCutFileSystem.mount(base.resolve("durable"), base.resolve("mnt"),
                Metadata.POSIX, PageCache.KEPT)) {
            try (DenormQueue queue = DenormQueue.builder(fs.mountPoint().resolve("journal"))
                    .durability(Durability.WRITE_AHEAD).flush(FlushPolicy.everyCommit()).build()) {
                for (int i = 0; i < 3; i++) {
                    commit(queue, "before-" + i);
                    acknowledged.add("before-" + i);
                }
                fs.failNextWrites(Long.MAX_VALUE);
                String payload = "x".repeat(payloadBytes);
                assertThatThrownBy(() -> {
                    try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                        for (int i = 0; i < messages; i++) {
                            queue.publish("t", "k", utf8("failed-" + i + payload));
                        }
                        tx.commit(() -> { });
                    }
                }).as("the commit whose flush the disk failed").isInstanceOf(JournalException.class)
                        .hasMessageContaining("Input/output error");
                fs.failNextWrites(0);
                int refusedAfterTheFailure = 0;
                for (int i = 0; acknowledged.size() < 8; i++) {
                    try {
                        commit(queue, "after-" + i);
                        acknowledged.add("after-" + i);
                    } catch (JournalException reportedLate) {
                        // a write-back that failed after the first report is reported to a later flush: its
                        // commit rolls back, and is not acknowledged
                        assertThat(++refusedAfterTheFailure).as("commits refused after the disk works again").isLessThan(5);
                    }
                }
                // the power goes now: the disk holds what was made durable, and nothing the queue's close would add
                fs.copyDurableImage(atTheCut);
                System.out.println("failed write-back: " + fs.stats());
            }
            BackgroundResourceReleaser.releasePendingResources(); // Chronicle unmaps after close, in the background
        }
        Recorder rebuilt = new Recorder();
        try (PowerCutFileSystem fs = PowerCutFileSystem.mount(atTheCut, base.resolve("mnt-after-the-cut"),
                Metadata.POSIX, PageCache.KEPT)) {
            try (DenormQueue queue = DenormQueue.builder(fs.mountPoint().resolve("journal")).handler("h", rebuilt)
                    .rebuild("h").build()) {
                awaitProcessed(queue);
            }
            BackgroundResourceReleaser.releasePendingResources();
        }
        assertThat(rebuilt.payloads()).as("every message the journal holds after the power cut")
                .containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    private static void commit(DenormQueue queue, String payload) throws Exception {
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8(payload));
            tx.commit(() -> { });
        }
    }
}
