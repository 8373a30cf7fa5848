package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * Publishing from many short-lived threads (a thread per request; virtual threads where the JDK has
 * them, platform threads otherwise): nothing may be retained per thread that has published, and no
 * message may be lost. {@code -Ddenormq.threads.blocks=N} and {@code -Ddenormq.threads.perBlock=M} run
 * N blocks of M threads (default 5 of 20 000: the first warms up, the growth over the others counts).
 */
class ManyThreadsTest extends QueueTestSupport {
    private static final int THREADS_PER_BLOCK = Integer.getInteger("denormq.threads.perBlock", 20_000);
    private static final int BLOCKS = Integer.getInteger("denormq.threads.blocks", 5);
    private static final int IN_FLIGHT = 64;
    /** Heap growth after GC allowed over all measured blocks: noise, not per-thread state (3 KB × 80 000 = 240 MiB). */
    private static final long MAX_RETAINED_GROWTH = 24L << 20;
    private static final byte[] PAYLOAD = new byte[64];

    @Test
    void shouldRetainNothingPerPublishingThreadAndLoseNothing() throws Exception {
        AtomicLong handled = new AtomicLong();
        DenormQueue queue = open(builder().handler("h", message -> handled.incrementAndGet()));
        ThreadFactory threads = threadFactory();
        String kind = threads == null ? "platform" : "virtual";
        long published = runBlock(queue, threads); // warm-up: classes, JIT, the journal's first file
        awaitProcessed(queue);
        long baseline = retainedHeap();
        List<Long> retained = new ArrayList<>();
        List<Double> microsPerTransaction = new ArrayList<>();
        for (int block = 1; block < BLOCKS; block++) {
            long start = System.nanoTime();
            published += runBlock(queue, threads);
            microsPerTransaction.add((System.nanoTime() - start) / 1e3 / THREADS_PER_BLOCK);
            awaitProcessed(queue);
            retained.add(retainedHeap());
        }
        System.out.printf("many threads (%s, JDK %d): %d threads published; retained heap after GC %d KiB, then %s KiB; "
                        + "µs per transaction (thread start and join included) %s%n", kind, Runtime.version().feature(),
                published, baseline >> 10, retained.stream().map(bytes -> bytes >> 10).toList(),
                microsPerTransaction.stream().map(us -> String.format("%.1f", us)).toList());
        assertThat(handled.get()).as("messages handled").isEqualTo(published);
        long growth = retained.get(retained.size() - 1) - baseline;
        assertThat(growth).as("heap retained after GC grew by %d KiB over %d threads", growth >> 10,
                (long) THREADS_PER_BLOCK * (BLOCKS - 1)).isLessThan(MAX_RETAINED_GROWTH);
    }

    /** Each task is one thread that runs one transaction with one message, then ends. */
    private static long runBlock(DenormQueue queue, ThreadFactory virtual) throws InterruptedException {
        Runnable transaction = () -> {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", PAYLOAD);
                tx.commit(() -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Thread[] inFlight = new Thread[IN_FLIGHT];
        for (int i = 0; i < THREADS_PER_BLOCK; i++) {
            int slot = i % IN_FLIGHT;
            if (inFlight[slot] != null) {
                inFlight[slot].join();
            }
            inFlight[slot] = virtual != null ? virtual.newThread(transaction) : new Thread(transaction);
            inFlight[slot].start();
        }
        for (Thread thread : inFlight) {
            if (thread != null) {
                thread.join();
            }
        }
        return THREADS_PER_BLOCK;
    }

    /** Virtual threads on JDK 21 and later (looked up reflectively: the code compiles for 17), else null. */
    private static ThreadFactory threadFactory() {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDK " + Runtime.version() + " should have virtual threads", e);
        }
    }

    private static long retainedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
