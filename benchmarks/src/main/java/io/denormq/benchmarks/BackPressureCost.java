package io.denormq.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.DenormQueue;
import io.denormq.HandlerContext;
import io.denormq.Message;
import io.denormq.MessageHandler;

/**
 * What dispatch costs when the handler is the bottleneck: the publisher commits faster than the
 * handler works, so the handler's ring stays full (a {@link MessageHandler} spending {@code work} µs
 * of CPU per message), or its in-flight cap does (an {@link AsyncMessageHandler} that accepts a
 * message in a quarter of that and has one other thread acknowledge it after {@code work} µs).
 *
 * <p>Per round it prints messages/s and the CPU each queue thread used per message, less the work it
 * was given: what the reader, the handler thread and the acknowledging thread spend on waiting for
 * room, waking each other and passing messages. The baseline is the work itself, measured in the same
 * run: "× work" is those threads' CPU over the work they were given (1.00 would be dispatch for
 * free). The publisher's CPU per message is printed beside it. Rounds alternate the two kinds, on a
 * fresh journal each.
 *
 * <p>Arguments: {@code [messages=150000] [workMicros=10] [rounds=5]}.
 */
public final class BackPressureCost {
    private static final int PAYLOAD_BYTES = 200;
    private static final int KEYS = 1024;

    private BackPressureCost() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if a round fails or does not finish
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 150_000;
        long workNanos = Math.round((args.length > 1 ? Double.parseDouble(args[1]) : 10) * 1_000);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("%s%nBackPressureCost: %,d messages of %d bytes per round, one per transaction (WRITE_AHEAD, "
                + "flush none), handler work %.1f µs per message%n", Machine.describe(), messages, PAYLOAD_BYTES,
                workNanos / 1e3);
        round("warm-up", false, Math.min(messages, 50_000), workNanos);
        round("warm-up", true, Math.min(messages, 50_000), workNanos);
        Map<Boolean, List<Double>> ratios = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (boolean async : new boolean[] {false, true}) {
                ratios.computeIfAbsent(async, k -> new ArrayList<>()).add(round(String.valueOf(r), async, messages, workNanos));
            }
        }
        for (Map.Entry<Boolean, List<Double>> kind : ratios.entrySet()) {
            List<Double> sorted = new ArrayList<>(kind.getValue());
            Collections.sort(sorted);
            System.out.printf("%s: CPU × work, median of %d rounds %.2f (%.2f to %.2f)%n",
                    kind.getKey() ? "asynchronous handler at its in-flight cap" : "handler with a full ring",
                    sorted.size(), sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
        }
    }

    /** @return all threads' CPU over the work they were given */
    private static double round(String name, boolean async, int messages, long workNanos) throws Exception {
        ExecutorService acknowledging = Executors.newSingleThreadExecutor(r -> new Thread(r, "acknowledging"));
        try (TempJournal temp = new TempJournal("back-pressure")) {
            MessageHandler handler = async ? new AcknowledgedLater(workNanos, acknowledging) : message -> work(workNanos);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long mainBefore = threads.getCurrentThreadCpuTime();
            Map<String, Long> cpu;
            double seconds;
            try (DenormQueue queue = DenormQueue.builder(temp.dir()).handler("slow", handler).build()) {
                byte[] payload = new byte[PAYLOAD_BYTES];
                long start = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    queue.publish("t", "k" + (i % KEYS), payload);
                }
                if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("round " + name + " did not finish within 5 minutes");
                }
                seconds = (System.nanoTime() - start) / 1e9;
                cpu = queueThreadsCpu(threads);
            }
            long publisher = threads.getCurrentThreadCpuTime() - mainBefore;
            // the handler thread was given the acceptance share of the work, the acknowledging thread the rest
            Map<String, Long> given = Map.of("handler", async ? workNanos / 4 : workNanos, "acknowledging",
                    async ? workNanos : 0L);
            StringBuilder line = new StringBuilder();
            long total = 0;
            for (Map.Entry<String, Long> thread : cpu.entrySet()) {
                long work = given.getOrDefault(thread.getKey(), 0L);
                total += thread.getValue();
                line.append(String.format("%s %.2f, ", thread.getKey(), (thread.getValue() / (double) messages - work) / 1e3));
            }
            double workGiven = (double) messages * (async ? workNanos + workNanos / 4 : workNanos);
            double ratio = total / workGiven;
            System.out.printf("round %-7s %-42s %,9.0f messages/s; CPU per message beyond the work (µs): %s× work %.2f "
                            + "(publisher %.2f µs per message)%n",
                    name, async ? "asynchronous handler at its in-flight cap:" : "handler with a full ring:",
                    messages / seconds, line, ratio, publisher / 1e3 / messages);
            return ratio;
        } finally {
            acknowledging.shutdownNow();
        }
    }

    /** The queue's reader and handler threads and the acknowledging thread, while they still run. */
    private static Map<String, Long> queueThreadsCpu(ThreadMXBean threads) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String thread = info.getThreadName();
            String label = thread.startsWith("denormq-reader") ? "reader" : thread.startsWith("denormq-handler") ? "handler"
                    : thread.equals("acknowledging") ? "acknowledging" : null;
            if (label != null) {
                cpu.merge(label, threads.getThreadCpuTime(info.getThreadId()), Long::sum);
            }
        }
        return cpu;
    }

    /** Spends {@code nanos} of CPU, as a handler's own work would. */
    private static void work(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Accepts a message in a quarter of the work and has the acknowledging thread finish it. */
    private static final class AcknowledgedLater implements AsyncMessageHandler {
        private final long workNanos;
        private final ExecutorService acknowledging;
        private Acknowledgements acks;

        AcknowledgedLater(long workNanos, ExecutorService acknowledging) {
            this.workNanos = workNanos;
            this.acknowledging = acknowledging;
        }

        @Override
        public void onStart(HandlerContext context) {
            acks = context.acknowledgements();
        }

        @Override
        public void onMessage(Message message) {
            long sequence = message.sequence();
            work(workNanos / 4);
            acknowledging.execute(() -> {
                work(workNanos);
                acks.acknowledge(sequence);
            });
        }
    }
}
