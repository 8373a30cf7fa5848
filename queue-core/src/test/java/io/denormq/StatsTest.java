package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@link DenormQueue#stats()} shows what an operator alerts on: lag, retries, dead letters. */
class StatsTest extends QueueTestSupport {

    @Test
    void shouldShowTheLagOfABlockedHandlerAndNotOfAHealthyOne() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch firstSeen = new CountDownLatch(1);
        DenormQueue queue = open(builder()
                .handler("healthy", message -> { })
                .handler("blocked", message -> {
                    firstSeen.countDown();
                    unblock.await();
                }));
        for (int i = 0; i < 5; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        assertThat(firstSeen.await(30, TimeUnit.SECONDS)).isTrue();
        HandlerStats blocked = awaitLag(queue, "blocked", 5);
        Thread.sleep(20);
        blocked = handler(queue.stats(), "blocked");
        assertThat(blocked.lagMessages()).isEqualTo(5);
        assertThat(blocked.lagMillis()).isGreaterThanOrEqualTo(20);
        assertThat(blocked.processed()).isZero();
        assertThat(blocked.unreadRecords()).as("its reader read everything: the backlog is all in its ring").isZero();
        assertThat(blocked.running()).isTrue();
        HandlerStats healthy = awaitLag(queue, "healthy", 0);
        assertThat(healthy.processed()).isEqualTo(5);
        assertThat(healthy.lagMillis()).isZero();
        assertThat(queue.stats().maxLagMessages()).isEqualTo(5);

        unblock.countDown();
        awaitProcessed(queue);
        QueueStats stats = queue.stats();
        assertThat(stats.maxLagMessages()).isZero();
        assertThat(handler(stats, "blocked").processed()).isEqualTo(5);
        assertThat(handler(stats, "blocked").cursor()).isEqualTo(handler(stats, "healthy").cursor()).isPositive();
        assertThat(stats.unresolvedBatches()).isZero();
        assertThat(stats.backgroundErrors()).isZero();
    }

    @Test
    void shouldCountRetriesAndDeadLettersAndStillAnswerAfterClose() throws Exception {
        DenormQueue queue = open(builder().handler("poisoned", message -> {
            throw new IllegalStateException("always fails");
        }));
        queue.publish("t", "k", utf8("poison"));
        awaitProcessed(queue);
        HandlerStats poisoned = handler(queue.stats(), "poisoned");
        assertThat(poisoned.retries()).isEqualTo(2); // 3 attempts in the test's retry policy
        assertThat(poisoned.deadLetters()).isEqualTo(1);
        assertThat(poisoned.processed()).isEqualTo(1);
        long cursor = poisoned.cursor();

        queue.close();
        HandlerStats afterClose = handler(queue.stats(), "poisoned");
        assertThat(afterClose.running()).isFalse();
        assertThat(afterClose.unreadRecords()).isZero();
        assertThat(afterClose.cursor()).isEqualTo(cursor);
        assertThat(queue.cursors()).containsEntry("poisoned", cursor);
    }

    @Test
    void shouldCountATransactionAwaitingItsOutcome() throws Exception {
        DenormQueue queue = open(builder().transactions(io.denormq.tx.ProgrammaticTransactions.binding())
                .handler("h", message -> { }));
        try (var tx = io.denormq.tx.ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("pending"));
            tx.commit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (queue.stats().unresolvedBatches() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(queue.stats().unresolvedBatches()).isEqualTo(1);
            });
        }
        awaitProcessed(queue);
        assertThat(queue.stats().unresolvedBatches()).isZero();
    }

    private static HandlerStats awaitLag(DenormQueue queue, String name, long lag) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        HandlerStats stats = handler(queue.stats(), name);
        while (stats.lagMessages() != lag && System.nanoTime() < deadline) {
            Thread.sleep(1);
            stats = handler(queue.stats(), name);
        }
        return stats;
    }

    private static HandlerStats handler(QueueStats stats, String name) {
        return stats.handlers().stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
    }
}
