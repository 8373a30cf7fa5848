package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * 8 publisher threads x 100 000 messages in transactions, no crash: every handler receives every
 * message exactly once, and each key's messages in publication order.
 */
class ConcurrentPublishTest extends QueueTestSupport {
    private static final int THREADS = 8;
    private static final int MESSAGES_PER_THREAD = 100_000;
    private static final int MESSAGES_PER_TRANSACTION = 5;
    private static final int KEYS_PER_THREAD = 16;

    @Test
    void shouldDeliverEveryMessageExactlyOnceAndInKeyOrder() throws Exception {
        OrderChecker first = new OrderChecker();
        OrderChecker second = new OrderChecker();
        DenormQueue queue = open(builder().handler("first", first).handler("second", second));

        ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(executor.submit(() -> publishAll(queue, thread)));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        executor.shutdown();
        awaitProcessed(queue);

        for (OrderChecker checker : List.of(first, second)) {
            assertThat(checker.received.get()).isEqualTo((long) THREADS * MESSAGES_PER_THREAD);
            assertThat(checker.duplicates.get()).as("messages received twice").isZero();
            assertThat(checker.outOfOrder.get()).as("messages received before an earlier one of their key").isZero();
            assertThat(checker.seen.cardinality()).isEqualTo(THREADS * MESSAGES_PER_THREAD);
        }
    }

    private static Void publishAll(DenormQueue queue, int thread) throws Exception {
        ByteBuffer payload = ByteBuffer.allocate(8);
        for (int n = 0; n < MESSAGES_PER_THREAD; ) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                for (int i = 0; i < MESSAGES_PER_TRANSACTION; i++, n++) {
                    payload.clear();
                    payload.putInt(thread).putInt(n);
                    queue.publish("t", "t" + thread + "-k" + (n % KEYS_PER_THREAD), payload.array());
                }
                tx.commit(() -> { });
            }
        }
        return null;
    }

    /** Single-threaded (it runs on its handler's thread). */
    private static final class OrderChecker implements MessageHandler {
        final BitSet seen = new BitSet(THREADS * MESSAGES_PER_THREAD);
        final int[][] lastPerKey = new int[THREADS][KEYS_PER_THREAD];
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();

        OrderChecker() {
            for (int[] keys : lastPerKey) {
                java.util.Arrays.fill(keys, -1);
            }
        }

        @Override
        public void onMessage(Message message) {
            ByteBuffer payload = ByteBuffer.wrap(message.payload());
            int thread = payload.getInt();
            int n = payload.getInt();
            int bit = thread * MESSAGES_PER_THREAD + n;
            if (seen.get(bit)) {
                duplicates.incrementAndGet();
            }
            seen.set(bit);
            int key = n % KEYS_PER_THREAD;
            if (!message.key().equals("t" + thread + "-k" + key) || lastPerKey[thread][key] >= n) {
                outOfOrder.incrementAndGet();
            }
            lastPerKey[thread][key] = n;
            received.incrementAndGet();
        }
    }
}
