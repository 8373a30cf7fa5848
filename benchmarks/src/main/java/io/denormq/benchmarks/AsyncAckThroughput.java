package io.denormq.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.HandlerContext;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * What asynchronous acknowledgement costs, without Kafka: the Kafka bridge's pipeline (a handler that
 * hands each message on, and another thread that acknowledges each one when "its effect completes")
 * against a plain handler that counts, in interleaved rounds on fresh journals.
 *
 * <ul>
 *   <li><b>plain</b>: a {@link MessageHandler} counting messages; the queue stores its cursor itself.</li>
 *   <li><b>async</b>: an {@link AsyncMessageHandler} that puts each message's sequence on a
 *       single-producer, single-consumer ring; an acknowledging thread takes them in order and calls
 *       {@link Acknowledgements#acknowledge(long)} for each, as a Kafka client's I/O thread does for
 *       each record the broker acknowledged.</li>
 * </ul>
 *
 * <p>Each round: one publisher thread commits programmatic transactions of {@code perTx} messages
 * (WRITE_AHEAD, flush none, 200 bytes, 1 024 keys); the rate is messages from the first commit until
 * {@code awaitProcessed} returns (every message acknowledged). It prints messages/s and the process's
 * CPU per message for each kind, then the ratio async ÷ plain over the rounds (medians).
 *
 * <p>Arguments: {@code [messages=2000000] [perTx=10] [rounds=5] [warmupRounds=3]}.
 */
public final class AsyncAckThroughput {
    private static final int KEYS = 1024;

    private AsyncAckThroughput() {
    }

    /**
     * @param args message count, messages per transaction, rounds, warm-up rounds
     * @throws Exception if a round fails to drain
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int perTx = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warmupRounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        byte[] payload = PublishBenchmark.payload(200);
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "customer-" + i;
        }
        System.out.printf("%nAsynchronous acknowledgement: 200-byte messages, %d per transaction, WRITE_AHEAD, flush none, "
                + "%,d messages per round; %s%n", perTx, messages, Machine.describe());
        long started = System.nanoTime();
        for (int round = 0; round < warmupRounds; round++) {
            run(false, messages / 2, perTx, payload, keys);
            run(true, messages / 2, perTx, payload, keys);
        }
        System.out.printf("%n%-6s %-6s %14s %16s%n", "round", "kind", "messages/s", "CPU µs/msg");
        List<Double> plainRates = new ArrayList<>();
        List<Double> asyncRates = new ArrayList<>();
        List<Double> plainCpu = new ArrayList<>();
        List<Double> asyncCpu = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (boolean async : new boolean[] {false, true}) {
                Result result = run(async, messages, perTx, payload, keys);
                double rate = messages / result.seconds;
                double cpu = result.cpuNanos / 1e3 / messages;
                System.out.printf("%-6d %-6s %,14.0f %16.2f%n", round, async ? "async" : "plain", rate, cpu);
                (async ? asyncRates : plainRates).add(rate);
                (async ? asyncCpu : plainCpu).add(cpu);
            }
        }
        System.out.printf("%nmedians: plain %,.0f messages/s, %.2f µs/msg; async %,.0f messages/s, %.2f µs/msg; "
                        + "async / plain: %.2f× the rate, %+.2f µs of CPU per message%n",
                Medians.of(plainRates), Medians.of(plainCpu), Medians.of(asyncRates), Medians.of(asyncCpu),
                Medians.of(asyncRates) / Medians.of(plainRates), Medians.of(asyncCpu) - Medians.of(plainCpu));
        System.out.printf("run took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private record Result(double seconds, long cpuNanos) {
    }

    private static Result run(boolean async, int messages, int perTx, byte[] payload, String[] keys) throws Exception {
        try (TempJournal journal = new TempJournal("async-ack")) {
            AtomicLong counted = new AtomicLong();
            Forwarding forwarding = async ? new Forwarding() : null;
            MessageHandler handler = async ? forwarding : message -> counted.lazySet(counted.get() + 1);
            DenormQueue queue = DenormQueue.builder(journal.dir()).durability(Durability.WRITE_AHEAD)
                    .flush(FlushPolicy.none()).handler("bench", handler).build();
            try {
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                for (int sent = 0; sent < messages; ) {
                    try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                        for (int i = 0; i < perTx && sent < messages; i++, sent++) {
                            queue.publish(PublishBenchmark.TOPIC, keys[sent & (KEYS - 1)], payload);
                        }
                        tx.commit(() -> { });
                    }
                }
                if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("the handler did not drain within 5 minutes: " + queue.stats());
                }
                long seconds = System.nanoTime() - start;
                return new Result(seconds / 1e9, processCpuNanos() - cpuBefore);
            } finally {
                queue.close();
                if (forwarding != null) {
                    forwarding.stop();
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Hands each message's sequence to an acknowledging thread over a single-producer,
     * single-consumer ring as large as the in-flight cap (so that a put always finds room).
     */
    private static final class Forwarding implements AsyncMessageHandler {
        private static final int CAPACITY = Integer.highestOneBit(DEFAULT_MAX_IN_FLIGHT - 1) << 1;
        private final long[] ring = new long[CAPACITY];
        private final AtomicLong written = new AtomicLong();
        private volatile boolean running = true;
        private volatile Acknowledgements acknowledgements;
        private Thread acknowledger;

        @Override
        public void onStart(HandlerContext context) {
            acknowledgements = context.acknowledgements();
            acknowledger = new Thread(this::acknowledgeInOrder, "acknowledger");
            acknowledger.setDaemon(true);
            acknowledger.start();
        }

        @Override
        public void onMessage(Message message) {
            long at = written.get();
            ring[(int) (at & (CAPACITY - 1))] = message.sequence();
            written.lazySet(at + 1);
        }

        @Override
        public int maxInFlight() {
            return CAPACITY;
        }

        private void acknowledgeInOrder() {
            long next = 0;
            int idle = 0;
            while (running) {
                if (next == written.get()) {
                    // idle like a client's I/O thread waiting on its socket: spin briefly, then park
                    if (++idle < 100) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.parkNanos(50_000);
                    }
                    continue;
                }
                idle = 0;
                acknowledgements.acknowledge(ring[(int) (next & (CAPACITY - 1))]);
                next++;
            }
        }

        void stop() throws InterruptedException {
            running = false;
            if (acknowledger != null) {
                acknowledger.join();
            }
        }
    }
}
