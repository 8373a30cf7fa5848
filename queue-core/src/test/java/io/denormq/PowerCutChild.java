package io.denormq;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child process of {@link PowerCutTest}: {@code MODE JOURNAL OUTCOME FIRST THREADS}. Opens a queue
 * on JOURNAL (on the power-cut file system) with {@link FlushPolicy#everyCommit()} and one handler
 * "h", and commits numbered messages (from FIRST) in transactions of 1 to 3 messages from THREADS
 * threads until killed. Once a commit returned, its numbers are appended to OUTCOME as {@code C <n>}
 * lines and OUTCOME is forced to the disk: those commits were acknowledged. Another thread calls
 * {@link DenormQueue#stats()} and {@link DenormQueue#awaitProcessed} now and then, as a monitoring
 * endpoint and a test would.
 *
 * <p>MODE {@code hold}: the handler never returns (nothing is acknowledged: every committed message
 * must come back from the journal after the power cut). MODE {@code ack}: the handler appends
 * {@code D <n>} to OUTCOME, forces it and returns, so its cursor moves while the child runs.
 */
public final class PowerCutChild {
    private static FileChannel outcome;

    private PowerCutChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean ack = args[0].equals("ack");
        Path journal = Path.of(args[1]);
        outcome = FileChannel.open(Path.of(args[2]), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        AtomicLong next = new AtomicLong(Long.parseLong(args[3]));
        int threads = Integer.parseInt(args[4]);
        CountDownLatch never = new CountDownLatch(1);
        DenormQueue queue = DenormQueue.builder(journal)
                .flush(FlushPolicy.everyCommit())
                .handler("h", message -> {
                    if (ack) {
                        append("D " + message.payload(Codecs.utf8()) + "\n");
                    } else {
                        never.await();
                    }
                })
                .build();
        for (int t = 0; t < threads; t++) {
            Thread publisher = new Thread(() -> publish(queue, next), "publisher-" + t);
            publisher.start();
        }
        Thread monitor = new Thread(() -> monitor(queue), "monitor");
        monitor.setDaemon(true);
        monitor.start();
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void publish(DenormQueue queue, AtomicLong next) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (true) {
                int count = 1 + random.nextInt(3);
                long[] numbers = new long[count];
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    for (int i = 0; i < count; i++) {
                        numbers[i] = next.getAndIncrement();
                        queue.publish("powercut", "k" + (numbers[i] % 16),
                                Long.toString(numbers[i]).getBytes(StandardCharsets.UTF_8));
                    }
                    tx.commit(() -> { });
                }
                StringBuilder committed = new StringBuilder();
                for (long n : numbers) {
                    committed.append("C ").append(n).append('\n');
                }
                append(committed.toString());
            }
        } catch (Throwable e) {
            e.printStackTrace();
        }
    }

    private static void monitor(DenormQueue queue) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (true) {
                Thread.sleep(50 + random.nextInt(150));
                queue.stats();
                if (random.nextBoolean()) {
                    queue.awaitProcessed(Duration.ofMillis(1 + random.nextInt(20)));
                }
            }
        } catch (Throwable e) {
            e.printStackTrace();
        }
    }

    /** One write and one force per entry: what was forced survives the power cut and the kill. */
    private static synchronized void append(String lines) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(lines.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            outcome.write(buffer);
        }
        outcome.force(false);
    }
}
