package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/** Handlers see transactions in the order they completed, not the order they were journaled. */
class ReleaseOrderTest extends QueueTestSupport {

    @Test
    void shouldNotHoldBackLaterTransactionsBehindASlowCommit() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().handler("h", recorder));
        CountDownLatch slowIsCommitting = new CountDownLatch(1);
        CountDownLatch letSlowFinish = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<?> slow = executor.submit(() -> {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("slow"));
                tx.commit(() -> {              // journaled ahead, then a slow 2PC commit phase
                    slowIsCommitting.countDown();
                    letSlowFinish.await();
                });
            }
            return null;
        });
        try {
            assertThat(slowIsCommitting.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(JournalRecords.kinds(queue)).containsExactly("BATCH");
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("fast"));
                tx.commit(() -> { });
            }
            assertThat(queue.awaitProcessed(AWAIT)).isTrue();
            assertThat(recorder.payloads()).as("released while the slow one is still committing").containsExactly("fast");
        } finally {
            letSlowFinish.countDown();
        }
        slow.get(10, TimeUnit.SECONDS);
        executor.shutdown();
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("fast", "slow");
        assertThat(recorder.sequences).isSorted();
        assertThat(recorder.ids.get(1)).as("the slow batch was journaled first").isLessThan(recorder.ids.get(0));
        assertThat(queue.awaitProcessed(Duration.ofMillis(1))).isTrue();
    }

    @Test
    void shouldDeliverATransactionOfMoreMessagesThanTheRingHoldsWholeAndInOrder() throws Exception {
        // one journal record holds the whole transaction: the reader waits for room in the ring ten times
        // within it, and every message still arrives once, in order
        Recorder recorder = new Recorder();
        int ringSize = 64;
        int messages = ringSize * 10 + 7;
        DenormQueue queue = open(builder().ringSize(ringSize).handler("h", recorder));
        for (int round = 0; round < 2; round++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                for (int i = 0; i < messages; i++) {
                    queue.publish("t", "k" + (i % 5), utf8(round + "-" + i));
                }
                tx.commit(() -> { });
            }
        }
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize(2 * messages);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < messages; i++) {
                assertThat(recorder.payloads().get(round * messages + i)).isEqualTo(round + "-" + i);
            }
        }
        assertThat(recorder.sequences).isSorted();
    }
}
