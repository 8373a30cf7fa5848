package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A handler that throws is retried with backoff, then the message is dead-lettered and the handler moves on. */
class RetryAndDeadLetterTest extends QueueTestSupport {

    @Test
    void shouldRetryATransientFailureUntilItSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Recorder recorder = new Recorder();
        DenormQueue queue = open(DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(5, Duration.ofMillis(1), Duration.ofMillis(10)))
                .handler("h", message -> {
                    if (message.payload(Codecs.utf8()).equals("flaky") && attempts.incrementAndGet() < 3) {
                        throw new IllegalStateException("transient failure " + attempts.get());
                    }
                    recorder.onMessage(message);
                }));
        queue.publish("t", "k", utf8("flaky"));
        queue.publish("t", "k", utf8("next"));
        awaitProcessed(queue);
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(recorder.payloads()).containsExactly("flaky", "next");
        assertThat(queue.deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterAfterTheLastAttemptAndMoveOn() throws Exception {
        AtomicInteger poisonAttempts = new AtomicInteger();
        Recorder recorder = new Recorder();
        DenormQueue queue = open(DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(4, Duration.ofMillis(1), Duration.ofMillis(2)))
                .handler("totals", message -> {
                    if (message.payload(Codecs.utf8()).equals("poison")) {
                        poisonAttempts.incrementAndGet();
                        throw new IllegalArgumentException("cannot parse order");
                    }
                    recorder.onMessage(message);
                }));
        queue.publish("orders", "c-7", utf8("before"));
        queue.publish("orders", "c-7", utf8("poison"));
        queue.publish("orders", "c-7", utf8("after"));
        awaitProcessed(queue);

        assertThat(poisonAttempts.get()).isEqualTo(4);
        assertThat(recorder.payloads()).containsExactly("before", "after");
        List<DeadLetter> deadLetters = queue.deadLetters();
        assertThat(deadLetters).hasSize(1);
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.handler()).isEqualTo("totals");
        assertThat(deadLetter.topic()).isEqualTo("orders");
        assertThat(deadLetter.key()).isEqualTo("c-7");
        assertThat(new String(deadLetter.payload(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("poison");
        assertThat(deadLetter.attempts()).isEqualTo(4);
        assertThat(deadLetter.error()).contains("IllegalArgumentException").contains("cannot parse order");
        assertThat(deadLetter.sequence()).isGreaterThan(recorder.sequences.get(0)).isLessThan(recorder.sequences.get(1));

        // The cursor moved past the dead letter: a restart does not deliver it again.
        queue.close();
        Recorder afterRestart = new Recorder();
        DenormQueue reopened = open(DenormQueue.builder(journalDir).handler("totals", afterRestart));
        awaitProcessed(reopened);
        assertThat(afterRestart.payloads()).isEmpty();
        assertThat(reopened.deadLetters()).hasSize(1);
    }

    @Test
    void shouldDoubleTheBackoffUpToTheMaximum() {
        RetryPolicy policy = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(policy.backoffNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(policy.backoffNanos(2)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(policy.backoffNanos(4)).isEqualTo(Duration.ofMillis(800).toNanos());
        assertThat(policy.backoffNanos(5)).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(policy.backoffNanos(1000)).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(10);
    }

    /**
     * A handler's exception whose {@code toString()} itself throws: the retry must still happen (and
     * the message be processed or dead-lettered), never a silent skip past it.
     */
    @Test
    void shouldRetryWhenTheHandlersExceptionCannotBePrinted() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Recorder recorder = new Recorder();
        DenormQueue queue = open(DenormQueue.builder(journalDir)
                .retry(RetryPolicy.of(5, Duration.ofMillis(1), Duration.ofMillis(10)))
                .handler("h", message -> {
                    if (message.payload(Codecs.utf8()).equals("flaky") && attempts.incrementAndGet() < 3) {
                        throw new IllegalStateException("transient") {
                            @Override
                            public String toString() {
                                throw new IllegalStateException("cannot print myself");
                            }
                        };
                    }
                    recorder.onMessage(message);
                }));
        queue.publish("t", "k", utf8("flaky"));
        queue.publish("t", "k", utf8("next"));
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("flaky", "next");
        assertThat(attempts.get()).isEqualTo(3);
    }
}
