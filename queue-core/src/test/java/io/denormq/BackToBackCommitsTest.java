package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * Commits back to back make the reader read in batches (see {@code ReaderIdle}); that must lose
 * nothing, and it must end with the commits: a reader that kept polling a quiet queue would cost it
 * CPU for good, and one that kept sleeping would hold its next commit back. A quiet queue's reader
 * uses next to no CPU: about a millisecond a second, for its ten wake-ups.
 */
class BackToBackCommitsTest extends QueueTestSupport {
    private static final int BURST = 200_000;
    private static final String HANDLER = "back-to-back-counter";

    @Test
    void shouldDeliverEveryBackToBackCommitAndGoQuietOnceTheyStop() throws Exception {
        AtomicLong handled = new AtomicLong();
        DenormQueue queue = open(builder().handler(HANDLER, message -> handled.incrementAndGet()));
        byte[] payload = new byte[200];
        for (int i = 0; i < BURST; i++) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", Integer.toString(i & 1023), payload);
                tx.commit(() -> { });
            }
        }
        awaitProcessed(queue);
        assertThat(handled.get()).isEqualTo(BURST);

        Thread reader = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("denormq-reader-" + HANDLER)).findFirst().orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread.sleep(100); // the reader's last intervals find nothing: it goes back to sleeping until rung
        long cpuBefore = threads.getThreadCpuTime(reader.getId());
        Thread.sleep(1_000);
        long readerCpu = threads.getThreadCpuTime(reader.getId()) - cpuBefore;
        // sleeping until rung it wakes 10 times a second and uses about 1 ms; polling every short interval, or
        // building a tailer on each wake-up to look for a later day (as it did before), it used 15-19 ms
        assertThat(readerCpu).as("reader CPU over a quiet second, ns").isLessThan(TimeUnit.MILLISECONDS.toNanos(5));

        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "after", payload);
            tx.commit(() -> { });
        }
        awaitProcessed(queue);
        assertThat(handled.get()).isEqualTo(BURST + 1);
    }
}
