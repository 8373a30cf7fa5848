package io.denormq.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handler thread registers and delivers messages while another thread acknowledges them, as a
 * Kafka client's I/O thread does: thousands of short runs, so that every interleaving of the two
 * comes up. Registering takes no lock, so what is checked is exactly what that must not break: a
 * stored cursor never passes a delivered message that is not yet acknowledged, and once everything
 * is acknowledged the cursor reaches the handler's last position without any further call.
 */
class InFlightMessagesRaceTest {
    private static final int ROUNDS = 6_000;
    private static final int MESSAGES = 300;
    /** Small, so that runs wrap the entries' slots many times and the handler waits for room. */
    private static final int LIMIT = 16;
    private static final long DONE = -1;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theCursorNeverPassesAnUnacknowledgedMessageAndEndsAtTheLastOne() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            runRound(round);
        }
    }

    /**
     * The narrowest moment: the acknowledgement of the last message in flight comes just as the
     * handler thread ends its batch. One of the two must store the handler's last position; a
     * version in which each could miss the other's write left the cursor behind here.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anAcknowledgementAtTheEndOfABatchNeverLeavesTheCursorBehind() throws Exception {
        AtomicReference<InFlightMessages> handedOver = new AtomicReference<>();
        AtomicLong acknowledgedRound = new AtomicLong(-1);
        int rounds = 200_000;
        Thread acknowledger = new Thread(() -> {
            for (int round = 0; round < rounds; round++) {
                InFlightMessages inFlight;
                while ((inFlight = handedOver.getAndSet(null)) == null) {
                    Thread.onSpinWait();
                }
                spin(round * 7 % 64);
                inFlight.acknowledge(2);
                acknowledgedRound.set(round);
            }
        }, "acknowledger");
        acknowledger.setDaemon(true);
        acknowledger.start();
        for (int round = 0; round < rounds; round++) {
            AtomicLong stored = new AtomicLong();
            InFlightMessages inFlight = new InFlightMessages("race", LIMIT, 0,
                    (position, acknowledgedMessages) -> stored.set(position));
            inFlight.register(2); // sequence 1 was passed over before it
            handedOver.set(inFlight);
            spin(round * 13 % 64);
            inFlight.dispatched(3); // and 3 after it
            inFlight.batchDispatched();
            while (acknowledgedRound.get() < round) {
                Thread.onSpinWait();
            }
            assertThat(stored.get()).as("round %d: the cursor once everything was acknowledged", round).isEqualTo(3);
        }
    }

    private static void spin(int times) {
        for (int i = 0; i < times; i++) {
            Thread.onSpinWait();
        }
    }

    private static void runRound(int round) throws Exception {
        // sequence s is message s; every fifth is another handler's, passed over without delivery
        AtomicIntegerArray delivered = new AtomicIntegerArray(MESSAGES + 1);
        AtomicIntegerArray acknowledged = new AtomicIntegerArray(MESSAGES + 1);
        AtomicLong stored = new AtomicLong();
        List<String> violations = new ArrayList<>();
        InFlightMessages inFlight = new InFlightMessages("race", LIMIT, 0, (position, acknowledgedMessages) -> {
            // under the lock, with increasing positions
            if (position < stored.get()) {
                violations.add("cursor went back from " + stored.get() + " to " + position);
            }
            for (long s = stored.get() + 1; s <= position; s++) {
                if (delivered.get((int) s) == 1 && acknowledged.get((int) s) == 0) {
                    violations.add("cursor " + position + " passed message " + s + ", delivered and not acknowledged");
                }
            }
            stored.set(Math.max(stored.get(), position));
        });
        BlockingQueue<Long> toAcknowledge = new ArrayBlockingQueue<>(MESSAGES + 1);
        Thread acknowledger = new Thread(() -> acknowledgeAll(inFlight, toAcknowledge, acknowledged), "acknowledger");
        acknowledger.start();

        for (long sequence = 1; sequence <= MESSAGES; sequence++) {
            if (sequence % 5 == 0) {
                inFlight.dispatched(sequence);
            } else {
                while (inFlight.isFull()) {
                    while (!inFlight.hasRoomToResume()) {
                        inFlight.awaitChange();
                    }
                }
                delivered.set((int) sequence, 1);
                inFlight.register(sequence);
                toAcknowledge.add(sequence);
                inFlight.dispatched(sequence);
            }
            if (ThreadLocalRandom.current().nextInt(3) == 0) {
                inFlight.batchDispatched(); // the end of a dispatch batch
            }
        }
        inFlight.batchDispatched();
        toAcknowledge.add(DONE);
        acknowledger.join();

        assertThat(violations).as("round %d", round).isEmpty();
        assertThat(stored.get()).as("round %d: the cursor once everything was acknowledged", round).isEqualTo(MESSAGES);
        assertThat(inFlight.size()).isZero();
    }

    /** In delivery order, except that now and then one message is acknowledged after the next. */
    private static void acknowledgeAll(InFlightMessages inFlight, BlockingQueue<Long> toAcknowledge,
                                       AtomicIntegerArray acknowledged) {
        try {
            long heldBack = 0;
            while (true) {
                long sequence = toAcknowledge.take();
                if (sequence == DONE) {
                    break;
                }
                if (heldBack == 0 && ThreadLocalRandom.current().nextInt(4) == 0) {
                    heldBack = sequence;
                    continue;
                }
                acknowledge(inFlight, sequence, acknowledged);
                if (heldBack != 0) {
                    acknowledge(inFlight, heldBack, acknowledged);
                    heldBack = 0;
                }
            }
            if (heldBack != 0) {
                acknowledge(inFlight, heldBack, acknowledged);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void acknowledge(InFlightMessages inFlight, long sequence, AtomicIntegerArray acknowledged) {
        acknowledged.set((int) sequence, 1); // before: the cursor store may run inside acknowledge
        inFlight.acknowledge(sequence);
    }
}
