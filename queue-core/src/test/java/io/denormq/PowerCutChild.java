package io.denormq;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child process of {@link PowerCutTest}, started with {@code key=value} arguments:
 * <ul>
 * <li>{@code journal}, {@code outcome}: the journal directory (on the power-cut file system) and the
 * outcome file (on an ordinary one);</li>
 * <li>{@code mode}: {@code hold} (the handler "h" never returns, so nothing is acknowledged and every
 * committed message must come back from the journal after the power cut) or {@code ack} (the handler
 * appends {@code D <n>} to the outcome file, forces it and returns: its cursor moves while the child
 * runs);</li>
 * <li>{@code flush}: {@code everyCommit}, {@code periodic:<ms>} or {@code none};</li>
 * <li>{@code first}, {@code threads}: the first message number, and how many threads commit;</li>
 * <li>{@code clock} (optional): an instant at which the journal's clock starts, running in real time
 * from there ({@link RunningClock}); {@code retention} (optional): the retention in milliseconds,
 * applied every 50&ndash;200 ms by the monitoring thread rather than hourly.</li>
 * </ul>
 *
 * <p>Commits numbered messages in transactions of 1 to 3 messages until killed. Once a commit returned,
 * {@code C <n> <wall clock ms>} lines are appended to the outcome file and it is forced to the disk:
 * those commits were acknowledged at that time. Another thread calls {@link DenormQueue#stats()} and
 * {@link DenormQueue#awaitProcessed} now and then, as a monitoring endpoint and a test would, and
 * applies retention if asked to, appending {@code X <file>} for each file it deleted.
 */
public final class PowerCutChild {
    private static FileChannel outcome;

    private PowerCutChild() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> arguments = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            arguments.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        boolean ack = arguments.get("mode").equals("ack");
        outcome = FileChannel.open(Path.of(arguments.get("outcome")), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        AtomicLong next = new AtomicLong(Long.parseLong(arguments.get("first")));
        int threads = Integer.parseInt(arguments.get("threads"));
        CountDownLatch never = new CountDownLatch(1);
        DenormQueueBuilder builder = DenormQueue.builder(Path.of(arguments.get("journal")))
                .flush(flushPolicy(arguments.get("flush")))
                .handler("h", message -> {
                    if (ack) {
                        append("D " + message.payload(Codecs.utf8()) + "\n");
                    } else {
                        never.await();
                    }
                });
        if (arguments.containsKey("clock")) {
            builder.clock(new RunningClock(Instant.parse(arguments.get("clock"))));
        }
        boolean retain = arguments.containsKey("retention");
        if (retain) {
            builder.retention(Duration.ofMillis(Long.parseLong(arguments.get("retention"))));
        }
        DenormQueue queue = builder.build();
        for (int t = 0; t < threads; t++) {
            Thread publisher = new Thread(() -> publish(queue, next), "publisher-" + t);
            publisher.start();
        }
        Thread monitor = new Thread(() -> monitor(queue, retain), "monitor");
        monitor.setDaemon(true);
        monitor.start();
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    static FlushPolicy flushPolicy(String name) {
        if (name.startsWith("periodic:")) {
            return FlushPolicy.periodic(Duration.ofMillis(Long.parseLong(name.substring("periodic:".length()))));
        }
        return switch (name) {
            case "everyCommit" -> FlushPolicy.everyCommit();
            case "none" -> FlushPolicy.none();
            default -> throw new IllegalArgumentException("flush policy " + name);
        };
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
                long acknowledged = System.currentTimeMillis();
                StringBuilder committed = new StringBuilder();
                for (long n : numbers) {
                    committed.append("C ").append(n).append(' ').append(acknowledged).append('\n');
                }
                append(committed.toString());
            }
        } catch (Throwable e) {
            e.printStackTrace();
        }
    }

    private static void monitor(DenormQueue queue, boolean retain) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (true) {
                Thread.sleep(50 + random.nextInt(150));
                queue.stats();
                if (random.nextBoolean()) {
                    queue.awaitProcessed(Duration.ofMillis(1 + random.nextInt(20)));
                }
                if (retain) {
                    List<Path> deleted = ((DefaultDenormQueue) queue).applyRetention();
                    for (Path file : deleted) {
                        append("X " + file.getFileName() + "\n");
                    }
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
