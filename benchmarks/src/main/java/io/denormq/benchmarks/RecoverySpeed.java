package io.denormq.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.MessageHandler;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * How long a queue takes to start on a large journal. For each journal size N:
 * <ol>
 *   <li>a queue registers the handler {@code replay} on the empty journal and closes: its durable
 *       cursor now says "nothing processed yet";</li>
 *   <li>a queue <em>without</em> that handler journals N messages of {@code payloadBytes}, ten per
 *       transaction (WRITE_AHEAD), and closes: for {@code replay} all N are unacknowledged, as after
 *       a deployment that ran without the handler or a handler that fell behind before a restart;</li>
 *   <li><b>unacknowledged</b>: a queue with {@code replay} (a no-op counting handler) is built,
 *       timed from {@code build()} until the handler has counted N messages: the open time and the
 *       replay rate in entries/s;</li>
 *   <li><b>acknowledged</b>: the same journal, now fully acknowledged, is opened again (three times):
 *       the time {@code build()} takes, and until a message published right after it reaches the
 *       handler. It must not grow with N.</li>
 * </ol>
 * A journal of {@value #WARMUP_MESSAGES} messages goes through the same steps first, unreported, to
 * warm the JIT up. Journals go to the temporary directory and are deleted after each size; a size whose journal
 * would not fit twice in the free space is skipped. The journal was just written, so its pages are
 * in the operating system's cache: a start after a reboot reads them from the disk as well.
 *
 * <p>Arguments: {@code [sizes=1000000,10000000] [payloadBytes=200]}.
 */
public final class RecoverySpeed {
    private static final int MESSAGES_PER_TX = 10;
    private static final int ACKNOWLEDGED_OPENS = 3;
    /** Journal bytes per message beyond the payload: topic, key, lengths, batch header and release record, rounded up. */
    private static final int OVERHEAD_BYTES_PER_MESSAGE = 64;
    private static final String HANDLER = "replay";
    /** Without a warm-up the first size's replay rate would include the JIT's compilation of the read path. */
    private static final int WARMUP_MESSAGES = 200_000;

    private RecoverySpeed() {
    }

    /**
     * @param args journal sizes in messages, payload bytes
     * @throws Exception if a journal cannot be written
     */
    public static void main(String[] args) throws Exception {
        // The queue's start-up line says how many records recovery scanned: worth seeing here.
        System.setProperty("org.slf4j.simpleLogger.log.io.denormq.DefaultDenormQueue", "info");
        List<Integer> sizes = new ArrayList<>();
        for (String size : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Integer.parseInt(size.trim()));
        }
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.printf("%nRecovery speed: journals of %s messages of %d bytes, %d per transaction, WRITE_AHEAD, "
                + "flush none; no-op handler; %s%n", sizes, payloadBytes, MESSAGES_PER_TX, Machine.describe());
        long started = System.nanoTime();
        List<String> summary = new ArrayList<>();
        System.out.printf("%nwarm-up (JIT), not in the summary: %,d messages%n", WARMUP_MESSAGES);
        try (TempJournal journal = new TempJournal("recovery-warmup")) {
            measure(journal.dir(), WARMUP_MESSAGES, PublishBenchmark.payload(payloadBytes));
        }
        for (int size : sizes) {
            try (TempJournal journal = new TempJournal("recovery")) {
                long needed = (long) size * (payloadBytes + OVERHEAD_BYTES_PER_MESSAGE);
                long free = Files.getFileStore(journal.dir().getParent()).getUsableSpace();
                if (free < 2 * needed) {
                    System.out.printf("%nskipped %,d messages: the journal needs about %,d MB and only %,d MB are free%n",
                            size, needed >> 20, free >> 20);
                    continue;
                }
                summary.add(measure(journal.dir(), size, PublishBenchmark.payload(payloadBytes)));
            }
        }
        System.out.printf("%n%-12s %10s %12s | %-40s | %s%n", "", "", "", "all unacknowledged",
                "all acknowledged, " + ACKNOWLEDGED_OPENS + " opens");
        System.out.printf("%-12s %10s %12s | %10s %10s %18s | %s%n", "messages", "journal MB", "write msg/s",
                "open ms", "replay s", "replay entries/s", "open ms / first new message handled ms");
        summary.forEach(System.out::println);
        System.out.println("(open ms: build(), which locks, scans for batches without outcome, reads cursors and starts "
                + "the threads; replay s: from the start of build() until the handler counted every message; first new "
                + "message handled: from the start of build() until a message published after it reached the handler)");
        System.out.printf("run took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static String measure(Path dir, int size, byte[] payload) throws Exception {
        DenormQueue.builder(dir).handler(HANDLER, message -> { }).build().close();

        long writeStart = System.nanoTime();
        try (DenormQueue writer = DenormQueue.builder(dir).durability(Durability.WRITE_AHEAD)
                .flush(FlushPolicy.none()).build()) {
            for (int sent = 0; sent < size; ) {
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    for (int i = 0; i < MESSAGES_PER_TX && sent < size; i++, sent++) {
                        writer.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload);
                    }
                    tx.commit(() -> { });
                }
            }
        }
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long journalBytes = sizeOf(dir);
        System.out.printf("%n%,d messages journaled in %.1f s (%,.0f msg/s), journal %,d MB; %s unacknowledged for '%s'%n",
                size, writeSeconds, size / writeSeconds, journalBytes >> 20, "all", HANDLER);

        AtomicLong count = new AtomicLong();
        MessageHandler counting = message -> count.lazySet(count.get() + 1);
        long openStart = System.nanoTime();
        DenormQueue replaying = DenormQueue.builder(dir).handler(HANDLER, counting).build();
        long opened = System.nanoTime();
        long replayed;
        try {
            awaitCount(count, size, Duration.ofMinutes(10));
            replayed = System.nanoTime();
            if (!replaying.awaitProcessed(Duration.ofMinutes(1)) || count.get() != size) {
                throw new IllegalStateException("replay delivered " + count.get() + " of " + size + " messages");
            }
        } finally {
            replaying.close();
        }
        double openMillis = (opened - openStart) / 1e6;
        double replaySeconds = (replayed - openStart) / 1e9;
        System.out.printf("unacknowledged: build() %,.1f ms, every message replayed after %.2f s: %,.0f entries/s%n",
                openMillis, replaySeconds, size / replaySeconds);

        StringBuilder acknowledged = new StringBuilder();
        for (int open = 0; open < ACKNOWLEDGED_OPENS; open++) {
            acknowledged.append(open == 0 ? "" : "; ").append(openAcknowledged(dir, payload));
        }
        System.out.printf("acknowledged: build() ms / ms until a new message was handled: %s%n", acknowledged);
        return String.format("%,-12d %,10d %,12.0f | %,10.1f %,10.2f %,18.0f | %s", size, journalBytes >> 20,
                size / writeSeconds, openMillis, replaySeconds, size / replaySeconds, acknowledged);
    }

    /** Opens a fully acknowledged journal. @return "build ms / first delivery ms" */
    private static String openAcknowledged(Path dir, byte[] payload) throws Exception {
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        DenormQueue queue = DenormQueue.builder(dir).handler(HANDLER, message -> count.lazySet(count.get() + 1))
                .build();
        long opened = System.nanoTime();
        try {
            queue.publish(PublishBenchmark.TOPIC, PublishBenchmark.KEY, payload); // outside a transaction: released at once
            awaitCount(count, 1, Duration.ofMinutes(10));
            long delivered = System.nanoTime();
            if (!queue.awaitProcessed(Duration.ofMinutes(1)) || count.get() != 1) {
                throw new IllegalStateException("an acknowledged journal delivered " + count.get()
                        + " messages instead of the one new message");
            }
            return String.format("%.1f / %.1f", (opened - start) / 1e6, (delivered - start) / 1e6);
        } finally {
            queue.close();
        }
    }

    private static void awaitCount(AtomicLong count, long expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the handler counted " + count.get() + " of " + expected
                        + " messages within " + timeout);
            }
            LockSupport.parkNanos(50_000); // no spinning: it would take a core from the reader and the handler
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
