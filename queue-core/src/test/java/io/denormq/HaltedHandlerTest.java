package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.denormq.metrics.DenormqMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * A handler that cannot dead-letter a message halts, and shows it everywhere an operator looks.
 *
 * <p>The dead-letter write fails for real, with no mock: the handler throws an exception whose
 * stack trace cannot be printed ({@link UnprintableFailure}, as libraries whose exceptions override
 * {@code printStackTrace} can), the dead letter's error text is that stack trace, so
 * {@code DeadLetterRecords.append} throws before anything reaches the journal. The journal itself
 * stays healthy: publishers and the other handler go on.
 */
class HaltedHandlerTest extends QueueTestSupport {

    @Test
    void shouldShowAHandlerThatCouldNotDeadLetterAsHaltedAndNotCaughtUp() throws Exception {
        Recorder totals = new Recorder();
        Recorder audit = new Recorder();
        DenormQueue queue = open(DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("totals", message -> {
                    if (message.payload(Codecs.utf8()).equals("poison")) {
                        throw new UnprintableFailure();
                    }
                    totals.onMessage(message);
                })
                .handler("audit", audit));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DenormqMetrics(queue).bindTo(registry);
        queue.publish("orders", "c-7", utf8("before"));
        queue.publish("orders", "c-7", utf8("poison"));
        queue.publish("orders", "c-7", utf8("after-1"));
        queue.publish("orders", "c-7", utf8("after-2"));

        long start = System.nanoTime();
        assertThat(queue.awaitProcessed(AWAIT)).as("a halted handler is not caught up").isFalse();
        assertThat(System.nanoTime() - start).as("false as soon as the handler halted, not at the timeout")
                .isLessThan(AWAIT.toNanos() / 2);

        assertThat(totals.payloads()).containsExactly("before");
        assertThat(queue.deadLetters()).isEmpty();
        HandlerStats halted = handler(queue.stats(), "totals");
        assertThat(halted.state()).isEqualTo(HandlerStats.State.HALTED);
        assertThat(halted.running()).isFalse();
        assertThat(halted.cursor()).as("cursor frozen after 'before'").isEqualTo(totals.sequences.get(0));
        assertThat(halted.haltReason()).contains("could not dead-letter").contains("after 2 failed attempt(s)")
                .contains(journalDir.toString()).contains("this failure's stack trace cannot be printed")
                .contains("restart");
        assertThat(queue.stats().haltedHandlers()).extracting(HandlerStats::name).containsExactly("totals");
        assertThat(registry.get("denormq.handler.halted").tag("handler", "totals").gauge().value()).isEqualTo(1);
        assertThat(registry.get("denormq.handler.halted").tag("handler", "audit").gauge().value()).isZero();

        // the rest of the queue goes on; the halted handler's backlog shows and grows
        for (int i = 3; i <= 5; i++) {
            queue.publish("orders", "c-7", utf8("after-" + i));
        }
        awaitDelivered(audit, 7);
        assertThat(handler(queue.stats(), "audit").state()).isEqualTo(HandlerStats.State.RUNNING);
        assertThat(handler(queue.stats(), "totals").unreadRecords()).as("its reader stopped with it")
                .isGreaterThanOrEqualTo(2);
        assertThat(totals.payloads()).containsExactly("before");

        queue.close();
        assertThat(handler(queue.stats(), "totals").state()).as("still halted after close")
                .isEqualTo(HandlerStats.State.HALTED);
        assertThat(handler(queue.stats(), "audit").state()).isEqualTo(HandlerStats.State.STOPPED);

        // fixed and restarted: nothing was lost
        Recorder fixed = new Recorder();
        DenormQueue restarted = open(DenormQueue.builder(journalDir).handler("totals", fixed)
                .handler("audit", message -> { }));
        awaitProcessed(restarted);
        assertThat(fixed.payloads()).containsExactly("poison", "after-1", "after-2", "after-3", "after-4", "after-5");
        assertThat(handler(restarted.stats(), "totals").state()).isEqualTo(HandlerStats.State.RUNNING);
    }

    private static HandlerStats handler(QueueStats stats, String name) {
        return stats.handlers().stream().filter(handler -> handler.name().equals(name)).findFirst().orElseThrow();
    }

    private static void awaitDelivered(Recorder recorder, int count) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (recorder.payloads().size() < count) {
            assertThat(System.nanoTime()).as("delivered " + count + " in time").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /**
     * A failure whose stack trace cannot be printed, as a few libraries' exceptions that override
     * {@code printStackTrace}: the dead letter's error text is built by printing it.
     */
    static final class UnprintableFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnprintableFailure() {
            super("order c-7 cannot be applied");
        }

        @Override
        public void printStackTrace(java.io.PrintWriter writer) {
            throw new IllegalStateException("this failure's stack trace cannot be printed");
        }
    }
}
