package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * A stuck handler holds back nobody: commits go on (publishers only append to the journal) and a
 * healthy handler keeps up, far beyond the stuck one's ring.
 */
class StuckHandlerIsolationTest extends QueueTestSupport {

    @Test
    void shouldLetAHealthyHandlerAndTheCommitsGoOnWhileAnotherIsStuck() throws Exception {
        CountDownLatch unstick = new CountDownLatch(1);
        AtomicLong healthy = new AtomicLong();
        AtomicLong stuck = new AtomicLong();
        int ringSize = 64;
        int messages = 20_000; // hundreds of times the stuck handler's ring
        DenormQueue queue = open(builder().ringSize(ringSize).shutdownTimeout(Duration.ofSeconds(30))
                .handler("stuck", message -> {
                    unstick.await();
                    stuck.incrementAndGet();
                })
                .handler("healthy", message -> healthy.incrementAndGet()));
        for (int i = 0; i < messages; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k" + (i % 100), utf8("m"));
                tx.commit(() -> { });
            }
        }
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (healthy.get() < messages && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(healthy.get()).as("the healthy handler kept up while the other was stuck").isEqualTo(messages);
        assertThat(stuck.get()).isZero();
        HandlerStats stuckStats = queue.stats().handlers().stream().filter(h -> h.name().equals("stuck")).findFirst()
                .orElseThrow();
        assertThat(stuckStats.lagMessages()).as("the stuck one's lag shows, bounded by its ring").isEqualTo(ringSize);
        // each transaction is its batch (before the commit) and its outcome: a release of its own, or a
        // share of a RELEASES record when transactions commit back to back; the reader stopped once the
        // ring was full, so most of them are still unread (it read the batches up to the RELEASES record
        // that filled its ring, up to a thousand)
        assertThat(stuckStats.unreadRecords()).as("the backlog beyond the stuck one's ring")
                .isBetween(messages / 2L, 2L * messages);
        assertThat(queue.stats().handlers().stream().filter(h -> h.name().equals("healthy")).findFirst().orElseThrow()
                .unreadRecords()).as("the healthy one's reader is at the end of the journal").isZero();

        unstick.countDown();
        awaitProcessed(queue);
        assertThat(stuck.get()).isEqualTo(messages);
    }
}
