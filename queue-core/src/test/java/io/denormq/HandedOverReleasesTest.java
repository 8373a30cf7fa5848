package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import io.denormq.inspect.JournalInspector;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * Transactions that complete back to back hand their outcome to the release writer, which journals
 * many in one RELEASES record: one append per transaction on the committing thread instead of two.
 * What handlers receive must not change: every committed message, none rolled back, in commit
 * order, with sequences that are the same whoever reads the journal (the live reader, a replay, the
 * inspection API), so that cursors mean the same after a restart.
 */
class HandedOverReleasesTest extends QueueTestSupport {
    private static final int TRANSACTIONS = 50_000;

    @Test
    void shouldJournalBackToBackOutcomesTogetherAndDeliverInCommitOrder() throws Exception {
        Recorder live = new Recorder();
        DenormQueue queue = open(builder().handler("live", live));
        List<String> expected = commitBackToBack(queue);
        awaitProcessed(queue);

        assertThat(live.payloads()).containsExactlyElementsOf(expected);
        assertThat(live.sequences).isSorted().doesNotHaveDuplicates();
        List<String> kinds = JournalRecords.kinds(queue);
        long releasesRecords = kinds.stream().filter("RELEASES"::equals).count();
        long ownOutcomes = kinds.stream().filter(k -> k.equals("RELEASE") || k.equals("ROLLBACK")).count();
        System.out.printf("%d transactions: %d RELEASES records, %d RELEASE/ROLLBACK records%n", TRANSACTIONS,
                releasesRecords, ownOutcomes);
        assertThat(releasesRecords).as("RELEASES records").isPositive();
        // how many share a record depends on how steadily this thread gets a core (about 40 per record on a quiet
        // machine, a few under a loaded build): that some do is what is checked
        assertThat(releasesRecords + ownOutcomes).as("outcome records for " + TRANSACTIONS + " transactions")
                .isLessThan(TRANSACTIONS);
        assertThat(Files.readString(journalDir.resolve(JournalFormat.FILE_NAME)).trim())
                .isEqualTo("denormq-journal-format=3");
        List<Long> liveSequences = List.copyOf(live.sequences);
        List<Long> liveIds = List.copyOf(live.ids);
        queue.close();

        // a rebuild replays from the start: the same messages under the same sequences and ids
        Recorder replay = new Recorder();
        DenormQueue reopened = open(builder().handler("live", replay).rebuild("live"));
        awaitProcessed(reopened);
        assertThat(replay.payloads()).containsExactlyElementsOf(expected);
        assertThat(replay.sequences).containsExactlyElementsOf(liveSequences);
        assertThat(replay.ids).containsExactlyElementsOf(liveIds);
        reopened.close();

        List<Long> inspected = new ArrayList<>();
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            inspector.messages(-1, message -> inspected.add(message.sequence()));
        }
        assertThat(inspected).containsExactlyElementsOf(liveSequences);
    }

    @Test
    void shouldKeepEveryCommitOfAThreadInOrderWhenCollectingStartsAndStops() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        List<String> expected = new ArrayList<>();
        byte[] payload;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 500; i++) { // back to back: collecting starts
                payload = utf8(round + "-" + i);
                expected.add(round + "-" + i);
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish("t", "same-key", payload);
                    tx.commit(() -> { });
                }
            }
            Thread.sleep(round % 3); // 0 to 2 ms: the writer goes on collecting, or stops and parks
        }
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(recorder.sequences).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldKeepWritingAnOutcomeRecordPerTransactionWhenTheFormatMarkerCannotBeRaised() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        // the marker is rewritten through a temporary file beside it: a directory in its place makes the write fail
        Files.createDirectory(journalDir.resolve(JournalFormat.FILE_NAME + ".tmp"));
        List<String> expected = commitBackToBack(queue);
        awaitProcessed(queue);

        assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
        assertThat(JournalRecords.kinds(queue)).as("no RELEASES record without the marker that announces them")
                .doesNotContain("RELEASES");
        assertThat(Files.readString(journalDir.resolve(JournalFormat.FILE_NAME)).trim())
                .isEqualTo("denormq-journal-format=1");
    }

    /**
     * Commits {@value #TRANSACTIONS} transactions of one to three messages on this thread, every
     * seventh rolled back; returns the payloads of the committed ones in commit order.
     */
    private static List<String> commitBackToBack(DenormQueue queue) throws Exception {
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < TRANSACTIONS; t++) {
            int messages = 1 + t % 3;
            boolean rollBack = t % 7 == 3;
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                for (int m = 0; m < messages; m++) {
                    queue.publish("t", "k" + (t % 32), utf8(t + "." + m));
                    if (!rollBack) {
                        expected.add(t + "." + m);
                    }
                }
                if (rollBack) {
                    tx.rollback();
                } else {
                    tx.commit(() -> { });
                }
            }
        }
        return expected;
    }
}
