package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The resolver's bookkeeping of unresolved batches (which recovery and the readers' low-water mark
 * rely on), checked against a sorted set of the same batches while outcomes arrive in and out of
 * journal order.
 */
class ReleaseResolverTest {
    private final RecordBuffer buffer = new RecordBuffer(1 << 16);
    private final ReleaseResolver resolver = ReleaseResolver.tracking(null);
    private final TreeSet<Long> model = new TreeSet<>();

    private void batch(long index) {
        buffer.startBatch();
        buffer.addMessage("orders".getBytes(StandardCharsets.UTF_8), "c-1", new byte[8], 0, 8);
        buffer.sealBatch(KIND_BATCH, 1);
        assertThat(resolver.onRecord(buffer.array(), buffer.length(), index, null, null)).isTrue();
        model.add(index);
    }

    private void outcome(long recordIndex, long batchIndex, boolean rolledBack) {
        buffer.outcome(rolledBack ? KIND_ROLLBACK : KIND_RELEASE, batchIndex,
                rolledBack ? REASON_ROLLED_BACK : REASON_COMMITTED, 1);
        resolver.onRecord(buffer.array(), buffer.length(), recordIndex, null, null);
        model.remove(batchIndex);
    }

    private void releases(long recordIndex, List<Long> batchIndexes) {
        buffer.startReleases();
        for (long batchIndex : batchIndexes) {
            buffer.addOutcome(KIND_RELEASE, batchIndex, REASON_COMMITTED, 0);
            model.remove(batchIndex);
        }
        buffer.sealReleases(1);
        resolver.onRecord(buffer.array(), buffer.length(), recordIndex, null, null);
    }

    private void assertAgreesWithModel() {
        assertThat(resolver.unresolvedCount()).isEqualTo(model.size());
        assertThat(resolver.oldestUnresolved()).isEqualTo(model.isEmpty() ? Long.MAX_VALUE : model.first());
    }

    @Test
    void shouldFollowTheOldestUnresolvedBatchWhenOutcomesArriveInOrder() {
        long index = 100;
        for (int i = 0; i < 10_000; i++) {
            batch(index);
            outcome(index + 1, index, false);
            assertAgreesWithModel();
            index += 2;
        }
        assertThat(resolver.oldestUnresolved()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldFollowTheOldestUnresolvedBatchWhenOutcomesArriveOutOfOrder() {
        Random random = new Random(42);
        List<Long> open = new ArrayList<>();
        long index = 1;
        long stuck = -1;
        for (int step = 0; step < 200_000; step++) {
            int choice = random.nextInt(10);
            if (choice < 5 || open.isEmpty()) {
                batch(index);
                open.add(index);
                if (stuck < 0) {
                    stuck = index; // stays open for the whole run, like a long transaction
                    open.remove(open.size() - 1);
                }
            } else if (choice < 8) {
                outcome(index, open.remove(random.nextInt(open.size())), choice == 7);
            } else {
                List<Long> together = new ArrayList<>();
                for (int n = 1 + random.nextInt(16); n > 0 && !open.isEmpty(); n--) {
                    together.add(open.remove(random.nextInt(Math.min(open.size(), 4))));
                }
                releases(index, together);
            }
            index++;
            assertAgreesWithModel();
        }
        assertThat(resolver.oldestUnresolved()).isEqualTo(stuck);
        outcome(index, stuck, false);
        assertAgreesWithModel();
    }

    @Test
    void shouldStayRightIfABatchComesOutOfJournalOrder() {
        batch(50);
        batch(60);
        batch(40);
        assertAgreesWithModel();
        outcome(70, 40, false);
        assertAgreesWithModel();
        outcome(71, 50, true);
        assertAgreesWithModel();
        outcome(72, 60, false);
        assertAgreesWithModel();
    }
}
