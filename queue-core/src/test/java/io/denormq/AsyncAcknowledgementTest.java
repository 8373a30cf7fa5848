package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

/**
 * {@link AsyncMessageHandler}: acknowledgements from other threads, in any order, move the cursor
 * to the highest contiguous acknowledged position and never past a message not acknowledged; what
 * is not acknowledged is delivered again after a close; failures reported later get the retry
 * policy and the dead letter; the in-flight cap holds delivery back.
 */
class AsyncAcknowledgementTest extends QueueTestSupport {

    @Test
    void shouldMoveTheCursorOnlyOverContiguousAcknowledgementsAndRedeliverTheRestAfterClose() throws Exception {
        Holding handler = new Holding(16);
        DenormQueue queue = open(builder().shutdownTimeout(Duration.ofMillis(200)).handler("async", handler));
        for (String payload : List.of("a", "b", "c", "d", "e")) {
            queue.publish("t", "k", utf8(payload));
        }
        handler.awaitReceived(5);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // out of order, from another thread: b, d, a; c and e stay unacknowledged
            for (String payload : List.of("b", "d", "a")) {
                other.submit(() -> handler.acks.acknowledge(handler.sequenceOf(payload))).get();
            }
        } finally {
            other.shutdown();
        }
        assertThat(cursorOf(queue)).isEqualTo(handler.sequenceOf("b"));
        assertThat(queue.awaitProcessed(Duration.ofMillis(100))).as("caught up while c and e are unacknowledged").isFalse();
        queue.close();

        Recorder after = new Recorder();
        DenormQueue reopened = open(builder().handler("async", after));
        awaitProcessed(reopened);
        assertThat(after.payloads()).as("everything from the first unacknowledged message").containsExactly("c", "d", "e");
    }

    @Test
    void shouldBeCaughtUpOnceEveryMessageIsAcknowledgedAndAcceptAcknowledgingUpToAMessage() throws Exception {
        Holding handler = new Holding(16);
        DenormQueue queue = open(builder().handler("async", handler));
        for (int i = 0; i < 10; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        handler.awaitReceived(10);
        handler.acks.acknowledgeUpTo(handler.sequenceOf("m6"));
        assertThat(cursorOf(queue)).isEqualTo(handler.sequenceOf("m6"));
        handler.acks.acknowledge(handler.sequenceOf("m9"));
        handler.acks.acknowledge(handler.sequenceOf("m8"));
        assertThat(queue.awaitProcessed(Duration.ofMillis(50))).isFalse();
        handler.acks.acknowledge(handler.sequenceOf("m7"));
        awaitProcessed(queue);
        assertThat(cursorOf(queue)).isEqualTo(handler.sequenceOf("m9"));
        handler.acks.acknowledge(handler.sequenceOf("m3")); // again: accepted, changes nothing
        assertThat(queue.stats().handlers().get(0).processed()).isEqualTo(10);
    }

    @Test
    void shouldRetryAFailureReportedLaterAndDeadLetterItAfterTheLastAttempt() throws Exception {
        Holding handler = new Holding(16);
        handler.answerFrom(Executors.newSingleThreadExecutor(), payload -> payload.startsWith("poison"));
        DenormQueue queue = open(builder().handler("async", handler));
        queue.publish("t", "k", utf8("ok-1"));
        queue.publish("t", "k", utf8("poison"));
        queue.publish("t", "k", utf8("ok-2"));
        awaitProcessed(queue);

        // a retry comes after what was delivered meanwhile: only the counts are fixed
        assertThat(handler.received).containsExactlyInAnyOrder("ok-1", "poison", "ok-2", "poison", "poison");
        assertThat(handler.received.subList(0, 2)).containsExactly("ok-1", "poison");
        assertThat(handler.redelivered).filteredOn(Boolean::booleanValue).hasSize(2);
        assertThat(queue.deadLetters()).singleElement().satisfies(dead -> {
            assertThat(dead.payload()).isEqualTo(utf8("poison"));
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.error()).contains("refused downstream: poison");
        });
        HandlerStats stats = queue.stats().handlers().get(0);
        assertThat(stats.retries()).isEqualTo(2);
        assertThat(stats.deadLetters()).isEqualTo(1);
        assertThat(stats.cursor()).isEqualTo(handler.sequenceOf("ok-2"));
    }

    @Test
    void shouldAcknowledgeAFailedMessageThatSucceedsWhenDeliveredAgain() throws Exception {
        Holding handler = new Holding(16);
        handler.answerFrom(Executors.newSingleThreadExecutor(), new Predicate<>() {
            private boolean failed;

            @Override
            public boolean test(String payload) {
                boolean fail = payload.equals("flaky") && !failed;
                failed |= fail;
                return fail;
            }
        });
        DenormQueue queue = open(builder().handler("async", handler));
        queue.publish("t", "k", utf8("flaky"));
        queue.publish("t", "k", utf8("after"));
        awaitProcessed(queue);
        assertThat(handler.received).containsExactlyInAnyOrder("flaky", "after", "flaky");
        assertThat(handler.received.get(0)).isEqualTo("flaky");
        assertThat(queue.deadLetters()).isEmpty();
    }

    @Test
    void shouldRetryWhenOnMessageThrowsAndDeadLetterAsForAPlainHandler() throws Exception {
        Holding handler = new Holding(16) {
            @Override
            public void onMessage(Message message) {
                super.onMessage(message);
                if (message.payload(Codecs.utf8()).equals("throws")) {
                    throw new IllegalStateException("cannot accept");
                }
            }
        };
        handler.answerFrom(Executors.newSingleThreadExecutor(), payload -> false);
        DenormQueue queue = open(builder().handler("async", handler));
        queue.publish("t", "k", utf8("throws"));
        queue.publish("t", "k", utf8("fine"));
        awaitProcessed(queue);
        assertThat(handler.received).containsExactly("throws", "throws", "throws", "fine");
        assertThat(queue.deadLetters()).singleElement().satisfies(dead -> assertThat(dead.error()).contains("cannot accept"));
    }

    @Test
    void shouldHoldDeliveryBackAtTheInFlightCap() throws Exception {
        Holding handler = new Holding(4);
        DenormQueue queue = open(builder().handler("async", handler));
        for (int i = 0; i < 20; i++) {
            queue.publish("t", "k" + i, utf8("m" + i));
        }
        handler.awaitReceived(4);
        Thread.sleep(200);
        assertThat(handler.received).as("delivered while 4 are unacknowledged").hasSize(4);
        assertThat(queue.stats().handlers().get(0).unacknowledged()).as("stats: unacknowledged").isEqualTo(4);

        handler.acks.acknowledge(handler.sequenceOf("m1")); // not the oldest: makes no room
        Thread.sleep(100);
        assertThat(handler.received).hasSize(4);
        handler.acks.acknowledge(handler.sequenceOf("m0")); // m0 and m1 leave: room for two
        handler.awaitReceived(6);
        Thread.sleep(100);
        assertThat(handler.received).hasSize(6);

        handler.answerFrom(Executors.newSingleThreadExecutor(), payload -> false);
        for (int i = 2; i < 6; i++) {
            handler.acks.acknowledge(handler.sequenceOf("m" + i));
        }
        awaitProcessed(queue);
        assertThat(handler.received).hasSize(20);
        assertThat(queue.stats().handlers().get(0).unacknowledged()).as("stats: unacknowledged").isZero();
    }

    @Test
    void shouldRefuseWhatCannotBeAcknowledged() throws Exception {
        Holding handler = new Holding(16);
        Recorder plain = new Recorder();
        ContextKeeper keeper = new ContextKeeper(plain);
        DenormQueue queue = open(builder().handler("async", handler).handler("plain", keeper));
        queue.publish("t", "k", utf8("only"));
        handler.awaitReceived(1);
        long delivered = handler.sequenceOf("only");

        assertThatThrownBy(() -> handler.acks.acknowledge(delivered + 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such message was delivered");
        assertThatThrownBy(() -> handler.acks.acknowledgeUpTo(delivered + 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keeper.context.acknowledgements())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Implement AsyncMessageHandler");
        handler.acks.acknowledge(delivered);
        awaitProcessed(queue);
        assertThatThrownBy(() -> handler.acks.fail(handler.kept.get(0), new IllegalStateException("late")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not yet acknowledged");
    }

    @Test
    void shouldRefuseAnInFlightCapOutOfRange() {
        assertThatThrownBy(() -> open(builder().handler("async", new Holding(0))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxInFlight() = 0");
    }

    @Test
    void shouldCountADeadLetterFromAnyThreadAsTheAcknowledgement() throws Exception {
        Holding handler = new Holding(16);
        DenormQueue queue = open(builder().handler("async", handler));
        queue.publish("t", "k", utf8("given-up"));
        queue.publish("t", "k", utf8("next"));
        handler.awaitReceived(2);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(() -> {
                handler.context.deadLetter(handler.kept.get(0), 1, new IllegalStateException("given up downstream"));
                handler.acks.acknowledge(handler.sequenceOf("next"));
            }).get();
        } finally {
            other.shutdown();
        }
        awaitProcessed(queue);
        assertThat(queue.deadLetters()).singleElement()
                .satisfies(dead -> assertThat(dead.error()).contains("given up downstream"));
        assertThat(cursorOf(queue)).isEqualTo(handler.sequenceOf("next"));
    }

    private static long cursorOf(DenormQueue queue) {
        return queue.stats().handlers().get(0).cursor();
    }

    /**
     * Accepts every message and keeps a copy; acknowledges nothing by itself until told to answer
     * from an executor, then acknowledges each message there, or reports it failed when the
     * predicate says so.
     */
    static class Holding implements AsyncMessageHandler {
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<Boolean> redelivered = new CopyOnWriteArrayList<>();
        final List<Message> kept = new CopyOnWriteArrayList<>();
        private final int maxInFlight;
        volatile HandlerContext context;
        volatile Acknowledgements acks;
        private volatile ExecutorService answering;
        private volatile Predicate<String> failing;

        Holding(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        void answerFrom(ExecutorService executor, Predicate<String> fails) {
            this.failing = fails;
            this.answering = executor;
        }

        @Override
        public void onStart(HandlerContext handlerContext) {
            this.context = handlerContext;
            this.acks = handlerContext.acknowledgements();
        }

        @Override
        public int maxInFlight() {
            return maxInFlight;
        }

        @Override
        public void onMessage(Message message) {
            String payload = message.payload(Codecs.utf8());
            Message copy = message.copy();
            received.add(payload);
            redelivered.add(message.redelivered());
            kept.add(copy);
            ExecutorService executor = answering;
            if (executor != null) {
                Predicate<String> fails = failing;
                executor.execute(() -> {
                    if (fails.test(payload)) {
                        acks.fail(copy, new IllegalStateException("refused downstream: " + payload));
                    } else {
                        acks.acknowledge(copy.sequence());
                    }
                });
            }
        }

        long sequenceOf(String payload) {
            List<Message> copies = new ArrayList<>(kept);
            for (Message message : copies) {
                if (message.payload(Codecs.utf8()).equals(payload)) {
                    return message.sequence();
                }
            }
            throw new AssertionError("no message " + payload + " was delivered");
        }

        void awaitReceived(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("received " + received + ", expected " + count + " messages");
                }
                Thread.sleep(2);
            }
        }
    }

    /** A plain handler that keeps its context. */
    private static final class ContextKeeper implements MessageHandler {
        private final MessageHandler delegate;
        volatile HandlerContext context;

        ContextKeeper(MessageHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onStart(HandlerContext handlerContext) {
            this.context = handlerContext;
        }

        @Override
        public void onMessage(Message message) throws Exception {
            delegate.onMessage(message);
        }
    }
}
