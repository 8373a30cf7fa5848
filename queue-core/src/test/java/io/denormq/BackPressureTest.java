package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * How a queue behaves when a handler is slower than the commits: the reader refills a full ring,
 * and an asynchronous handler at its in-flight cap gets messages again, only once a share of it is
 * free (a quarter of the ring, an eighth of the cap) rather than at each freed slot, so that a slow
 * handler costs one wake-up per share and not one per message. Nothing is lost or reordered meanwhile.
 */
class BackPressureTest extends QueueTestSupport {
    private static final int RING = 64;

    @Test
    void aFullRingIsRefilledOnlyOnceAQuarterOfItIsFreeAndTheHandlerFreesItAQuarterAtATime() throws Exception {
        Gated handler = new Gated();
        DenormQueue queue = open(builder().durability(Durability.AFTER_COMMIT).ringSize(RING).handler("slow", handler));
        // one record per message, so that the reader's progress shows in unread records one per message
        queue.publish("t", "k", utf8("m0"));
        handler.awaitStarted(1); // the handler's first batch is m0 alone: it holds it
        int messages = 4 * RING;
        for (int i = 1; i < messages; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        long unreadWhileFull = awaitSteadyUnreadOtherThan(queue, -1); // the ring holds m1..m64, the reader waits for room

        handler.let(1); // m0's batch ends: one slot free
        handler.awaitStarted(2);
        assertThat(steadyUnread(queue)).as("records read after one slot of %d was freed", RING).isEqualTo(unreadWhileFull);

        // the next batch is m1..m16, a quarter of the ring: when it ends, 17 slots are free
        handler.let(RING / 4);
        handler.awaitStarted(2 + RING / 4);
        long unread = awaitSteadyUnreadOtherThan(queue, unreadWhileFull);
        assertThat(unreadWhileFull - unread).as("records read once a quarter of the ring was free")
                .isEqualTo(RING / 4 + 1);

        handler.let(messages);
        awaitProcessed(queue);
        assertThat(handler.inOrder.get()).as("messages delivered in publish order").isEqualTo(messages);
    }

    @Test
    void anAsynchronousHandlerAtItsCapGetsMessagesAgainOnceAnEighthOfItIsAcknowledged() throws Exception {
        int cap = 16;
        AsyncAcknowledgementTest.Holding handler = new AsyncAcknowledgementTest.Holding(cap);
        DenormQueue queue = open(builder().handler("async", handler));
        for (int i = 0; i < 3 * cap; i++) {
            queue.publish("t", "k" + i, utf8("m" + i));
        }
        handler.awaitReceived(cap);
        Thread.sleep(200);
        assertThat(handler.received).as("delivered at the cap").hasSize(cap);

        handler.acks.acknowledge(handler.sequenceOf("m0")); // one of the two an eighth of 16 asks for
        Thread.sleep(200);
        assertThat(handler.received).as("delivered after 1 of 16 acknowledged").hasSize(cap);

        handler.acks.acknowledge(handler.sequenceOf("m1"));
        handler.awaitReceived(cap + 2);
        Thread.sleep(100);
        assertThat(handler.received).as("delivered after 2 of 16 acknowledged: up to the cap again").hasSize(cap + 2);

        handler.answerFrom(Executors.newSingleThreadExecutor(), payload -> false);
        for (int i = 2; i < cap + 2; i++) {
            handler.acks.acknowledge(handler.sequenceOf("m" + i));
        }
        awaitProcessed(queue);
        assertThat(handler.received).hasSize(3 * cap);
        for (int i = 0; i < 3 * cap; i++) {
            assertThat(handler.received.get(i)).isEqualTo("m" + i);
        }
    }

    /** Unread records once the reader stopped reading (the same value for 200 ms) at other than {@code previous}. */
    private static long awaitSteadyUnreadOtherThan(DenormQueue queue, long previous) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        long unread;
        while ((unread = steadyUnread(queue)) < 0 || unread == previous) {
            assertThat(System.nanoTime()).as("the reader never came to rest at other than %d unread records", previous)
                    .isLessThan(deadline);
        }
        return unread;
    }

    /** @return the unread records if they stayed the same for 200 ms, else -1 */
    private static long steadyUnread(DenormQueue queue) throws InterruptedException {
        long before = unread(queue);
        Thread.sleep(200);
        return unread(queue) == before ? before : -1;
    }

    private static long unread(DenormQueue queue) {
        return queue.stats().handlers().get(0).unreadRecords();
    }

    /** Takes one message per permit given by the test, and checks that they come in publish order. */
    private static final class Gated implements MessageHandler {
        private final Semaphore permits = new Semaphore(0);
        private final AtomicInteger started = new AtomicInteger();
        final AtomicInteger inOrder = new AtomicInteger();

        @Override
        public void onMessage(Message message) throws InterruptedException {
            int number = started.getAndIncrement();
            permits.acquire();
            if (message.payload(Codecs.utf8()).equals("m" + number)) {
                inOrder.incrementAndGet();
            }
        }

        void let(int messages) {
            permits.release(messages);
        }

        void awaitStarted(int messages) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (started.get() < messages) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("handler started " + started.get() + " of " + messages + " messages");
                }
                Thread.sleep(1);
            }
        }
    }
}
