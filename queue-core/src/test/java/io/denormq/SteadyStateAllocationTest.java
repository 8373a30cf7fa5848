package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once warm, publishing, journaling, reading and dispatching allocate nothing per message: the
 * publishing thread allocates only the programmatic transaction object itself, the reader and
 * handler threads nothing (a handler reading the topic included). Measured with the JVM's per-thread allocation counters (exact byte
 * counts, not timings); JMH's {@code -prof gc} in the benchmarks module reports the same for every
 * thread of the process.
 */
class SteadyStateAllocationTest extends QueueTestSupport {
    private static final String TOPIC = "order-placed";
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 100_000;
    /** {@link ProgrammaticTransaction} itself: the caller's object, as in the benchmark's empty-transaction baseline. */
    private static final long TRANSACTION_OBJECT_BYTES = 40;
    /**
     * Room for one-offs over all the measured messages (Chronicle Queue allocates a few kilobytes now
     * and then, an array grows once): 3 bytes per message, where one copied record would be ~280.
     */
    private static final long ONE_OFF_BYTES = 64 * 1024;
    /**
     * The reader keeps the batches whose outcome is not journaled yet in pooled arrays; under
     * back-to-back commits their outcomes wait for a shared RELEASES record, and the pool grows, once,
     * to the most that ever waited (bounded at 1 MiB): a measured run that sets a new peak allocates
     * up to that much, about 10 bytes per measured message, where one copied record would be ~280.
     */
    private static final long READER_POOL_BYTES = 1024 * 1024;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldAllocateNothingPerMessageOnceWarm(Durability durability) throws Exception {
        com.sun.management.ThreadMXBean threads = allocationCounters();
        AtomicLong delivered = new AtomicLong();
        AtomicLong payloadBytes = new AtomicLong();
        DenormQueue queue = open(builder().durability(durability).flush(FlushPolicy.none())
                .handler("counter", message -> {
                    if (message.topic().equals(TOPIC)) { // a handler routing by topic
                        payloadBytes.addAndGet(message.payloadLength());
                    }
                    delivered.incrementAndGet();
                }));
        byte[] payload = new byte[200];

        publish(queue, payload, WARM_UP);
        awaitDelivered(delivered, WARM_UP);
        long reader = threadId("denormq-reader-counter");
        long handler = threadId("denormq-handler-counter");
        long publisher = Thread.currentThread().getId();
        long[] before = threads.getThreadAllocatedBytes(new long[] {publisher, reader, handler});

        publish(queue, payload, MEASURED);
        long publisherAfter = threads.getThreadAllocatedBytes(publisher);
        awaitDelivered(delivered, WARM_UP + MEASURED);
        long[] after = threads.getThreadAllocatedBytes(new long[] {publisher, reader, handler});

        long publishing = publisherAfter - before[0];
        long reading = after[1] - before[1];
        long handling = after[2] - before[2];
        assertThat(publishing)
                .as("bytes the publishing thread allocated for %,d one-message transactions (%,d per transaction)",
                        MEASURED, publishing / MEASURED)
                .isLessThanOrEqualTo(MEASURED * TRANSACTION_OBJECT_BYTES + ONE_OFF_BYTES);
        assertThat(reading).as("bytes the reader thread allocated reading and dispatching %,d messages", MEASURED)
                .isLessThanOrEqualTo(ONE_OFF_BYTES + READER_POOL_BYTES);
        assertThat(handling).as("bytes the handler thread allocated delivering %,d messages", MEASURED)
                .isLessThanOrEqualTo(ONE_OFF_BYTES);
        assertThat(payloadBytes.get()).isEqualTo((long) (WARM_UP + MEASURED) * payload.length);
    }

    private static void publish(DenormQueue queue, byte[] payload, int transactions) throws Exception {
        for (int i = 0; i < transactions; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish(TOPIC, "customer-42", payload);
                tx.commit(() -> { });
            }
        }
    }

    private static void awaitDelivered(AtomicLong delivered, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(delivered.get()).as("messages delivered").isEqualTo(expected);
    }

    private static com.sun.management.ThreadMXBean allocationCounters() {
        boolean supported = ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported();
        assumeTrue(supported, "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    private static long threadId(String name) {
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            if (thread.getKey().getName().equals(name)) {
                return thread.getKey().getId();
            }
        }
        throw new AssertionError("no thread named " + name + " in " + Thread.getAllStackTraces().keySet());
    }
}
