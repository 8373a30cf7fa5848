package io.denormq.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What publishing adds to a transaction, in nanoseconds per transaction. Three benchmarks, meant to be
 * read side by side:
 * <ul>
 *   <li>{@link #emptyTransaction()} (baseline): begin a programmatic transaction and commit it, no
 *       database, no publish;</li>
 *   <li>{@link #publish(QueueState)}: the same transaction publishing {@code messagesPerTx} messages of
 *       {@code payloadBytes} bytes to a queue with flush {@code none} and one no-op handler;</li>
 *   <li>{@link #rawAppend(RawAppendState)} (physical floor): one raw Chronicle Queue append of the
 *       transaction's payload bytes ({@code messagesPerTx * payloadBytes}) as one excerpt, which is what
 *       the journal has to write at the least.</li>
 * </ul>
 * Each iteration gets a fresh journal in a temporary directory, deleted after it: the journal grows by
 * every message, by gigabytes per iteration for the larger parameters. The queue's reader and handler
 * threads run during the measurement, as they do in an application, and share the machine's cores
 * with the publishing thread. {@link BenchmarkMain} passes the JVM flags Chronicle Queue needs to the
 * forks. Warm-up is long because on 2 cores the JIT compiler threads compete with the publisher, reader
 * and handler threads: the 10-message cases were still getting faster after 4 one-second iterations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 2)
public class PublishBenchmark {
    static final String TOPIC = "order-placed";
    static final String KEY = "customer-42";

    /** A queue with one no-op handler, fresh for every iteration. */
    @State(Scope.Thread)
    public static class QueueState {
        @Param({"1", "10"})
        public int messagesPerTx;
        @Param({"64", "200", "1024"})
        public int payloadBytes;
        @Param({"WRITE_AHEAD", "AFTER_COMMIT"})
        public Durability durability;
        /** No-op handlers; {@code -p handlers=0} shows what the handler thread costs the publisher. */
        @Param({"1"})
        public int handlers;

        byte[] payload;
        DenormQueue queue;
        private TempJournal journal;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            payload = payload(payloadBytes);
            journal = new TempJournal("jmh-publish");
            DenormQueueBuilder builder = DenormQueue.builder(journal.dir()).durability(durability)
                    .flush(FlushPolicy.none());
            for (int i = 0; i < handlers; i++) {
                builder.handler("noop-" + i, message -> { });
            }
            queue = builder.build();
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            closeBoth(queue, journal);
        }
    }

    /** An event as an application publishes it with {@link DenormQueue#publish(String, String, Object)}. */
    public record OrderPlaced(long orderId, String customer, long totalCents, java.util.List<String> items) {
    }

    /**
     * A queue with the Jackson 2 codec and one no-op handler, fresh for every iteration, and an event
     * whose JSON is about 200 bytes, as in the byte-array benchmarks.
     */
    @State(Scope.Thread)
    public static class TypedState {
        final OrderPlaced event = new OrderPlaced(1_234_567, "customer-42", 12_345,
                java.util.List.of("sku-000001", "sku-000002", "sku-000003", "sku-000004", "sku-000005",
                        "sku-000006", "sku-000007", "sku-000008", "sku-000009", "sku-000010"));
        final io.denormq.json.Jackson2Codec codec = io.denormq.json.Jackson2Codec.create();
        DenormQueue queue;
        private TempJournal journal;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            journal = new TempJournal("jmh-typed");
            queue = DenormQueue.builder(journal.dir()).durability(Durability.WRITE_AHEAD).flush(FlushPolicy.none())
                    .codec(codec).handler("noop", message -> { }).build();
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            closeBoth(queue, journal);
        }
    }

    /** A bare Chronicle Queue, fresh for every iteration, with this thread's appender. */
    @State(Scope.Thread)
    public static class RawAppendState {
        @Param({"1", "10"})
        public int messagesPerTx;
        @Param({"64", "200", "1024"})
        public int payloadBytes;

        byte[] bytes;
        ExcerptAppender appender;
        private SingleChronicleQueue chronicle;
        private TempJournal journal;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            bytes = payload(messagesPerTx * payloadBytes);
            journal = new TempJournal("jmh-raw");
            chronicle = SingleChronicleQueueBuilder.binary(journal.dir()).build();
            appender = chronicle.createAppender();
            appender.singleThreadedCheckDisabled(true);
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            try {
                appender.close();
                chronicle.close();
            } finally {
                journal.close();
            }
        }
    }

    private static void closeBoth(DenormQueue queue, TempJournal journal) throws IOException {
        try {
            queue.close();
        } finally {
            journal.close();
        }
    }

    static byte[] payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    /**
     * Baseline: a programmatic transaction with nothing in it.
     *
     * @throws Exception never: the commit action does nothing
     */
    @Benchmark
    public void emptyTransaction() throws Exception {
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            tx.commit(() -> { });
        }
    }

    /**
     * One transaction publishing {@code messagesPerTx} messages.
     *
     * @param state the queue
     * @throws Exception if the journal append fails
     */
    @Benchmark
    public void publish(QueueState state) throws Exception {
        DenormQueue queue = state.queue;
        byte[] payload = state.payload;
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            for (int i = state.messagesPerTx; i > 0; i--) {
                queue.publish(TOPIC, KEY, payload);
            }
            tx.commit(() -> { });
        }
    }

    /**
     * Physical floor: one raw Chronicle Queue append of the transaction's payload bytes.
     *
     * @param state the Chronicle Queue
     */
    /**
     * One transaction publishing one typed event, encoded to JSON by the queue's codec (WRITE_AHEAD):
     * what {@code publish(topic, key, Object)} costs against {@link #publish} with bytes, and how
     * much of it is the encoding ({@link #encodeJson}).
     *
     * @param state the queue and the event
     * @throws Exception never: the commit action does nothing
     */
    @Benchmark
    public void publishTyped(TypedState state) throws Exception {
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            state.queue.publish(TOPIC, KEY, state.event);
            tx.commit(() -> { });
        }
    }

    /**
     * The typed publish's encoding alone: the codec turning the event into JSON bytes.
     *
     * @param state the codec and the event
     * @return the bytes, so that the work is not eliminated
     */
    @Benchmark
    public byte[] encodeJson(TypedState state) {
        return state.codec.encode(state.event);
    }

    @Benchmark
    public void rawAppend(RawAppendState state) {
        try (DocumentContext dc = state.appender.writingDocument()) {
            dc.wire().bytes().write(state.bytes);
        }
    }
}
