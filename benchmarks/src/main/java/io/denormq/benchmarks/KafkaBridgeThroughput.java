package io.denormq.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.FlushPolicy;
import io.denormq.HandlerContext;
import io.denormq.Message;
import io.denormq.RetryPolicy;
import io.denormq.kafka.DenormqHeaders;
import io.denormq.kafka.KafkaBridge;
import io.denormq.kafka.testing.KafkaBroker;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka bridge against a real broker (Kafka 4.1, one KRaft node in a child JVM on loopback,
 * started by this harness; same machine, so broker and clients share its cores).
 *
 * <ul>
 *   <li><b>Throughput</b>: messages/s from the first commit until the broker has acknowledged every
 *       record and the bridge has released it to the queue's cursor ({@code awaitProcessed}
 *       returns only then). One publisher thread commits programmatic transactions of
 *       {@code perTx} messages ({@code payloadBytes} each, 1 024 keys, WRITE_AHEAD, flush none); the
 *       bridge forwards them to a topic of 3 partitions. Baseline in the same run: a plain
 *       idempotent {@link KafkaProducer} (same settings, same records and headers) sending the same
 *       number of records from one thread, from the first {@code send} to the last acknowledgement.
 *       Rounds alternate the two, after five warm-up rounds of each.</li>
 *   <li><b>Latency</b> at a fixed rate (one message per transaction, paced by intended start time so
 *       that a stall cannot hide the messages behind it): commit → acknowledged (the broker's
 *       acknowledgement of the record, when the bridge acknowledges its message to the queue, which
 *       may then move the cursor) and commit → consumer (a {@link KafkaConsumer} in this JVM
 *       receives it). Baseline: a plain producer sending the same record at the same times, send →
 *       acknowledgement callback and send → consumer. Both producers use {@code linger.ms=0} here:
 *       one record at a time is what this rate offers. The four distributions are drawn as
 *       {@code kafka-bridge-latency.png} ({@link PercentilePlot}).</li>
 * </ul>
 *
 * <p>Both JVMs (this one and the broker's) keep their JIT compilers busy for about a minute on 2
 * cores, which shows as milliseconds of latency: the throughput rounds come first, and each latency
 * run discards its first {@code latencyWarmupSeconds}.
 *
 * <p>Arguments: {@code [messages=100000] [perTx=10] [payloadBytes=200] [rounds=3] [rate=1000]
 * [latencySeconds=10] [latencyWarmupSeconds=10]}.
 */
public final class KafkaBridgeThroughput {
    private static final int KEYS = 1024;
    private static final int PARTITIONS = 3;
    /** Rounds of each kind run before the measured ones: on 2 cores both JVMs are still compiling after two. */
    private static final int WARMUP_ROUNDS = 5;
    private static final AtomicInteger TOPICS = new AtomicInteger();
    /**
     * Where the plain producer's ids and sequences start: a message's are its journal index (a
     * Chronicle FAST_DAILY index, cycle &lt;&lt; 32) shifted 16 bits left, plus its place in the
     * transaction, 19 decimal digits in this century. With small numbers the plain producer's records
     * were 28 bytes shorter than the bridge's (388 against 414 bytes by Kafka's {@code record-size-avg}),
     * and fewer of them filled a batch.
     */
    private static final long SEQUENCE_LIKE = (20_423L << 32) << 16;

    private KafkaBridgeThroughput() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if the broker does not start or a run fails
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perTx = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int payloadBytes = Math.max(PayloadNumber.BYTES, args.length > 2 ? Integer.parseInt(args[2]) : 200);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int rate = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        double latencySeconds = args.length > 5 ? Double.parseDouble(args[5]) : 10;
        double latencyWarmupSeconds = args.length > 6 ? Double.parseDouble(args[6]) : 10;
        // Kafka's clients warn at every connection attempt while the broker starts
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        // the broker gets a full JIT and a fixed heap: tests start it for speed, this measures it
        System.setProperty("denormq.kafka.broker.jvm", "-Xms1g -Xmx1g -XX:+UseG1GC");
        Path dir = Files.createTempDirectory("denormq-bench-kafka");
        long started = System.nanoTime();
        System.out.printf("%nKafka bridge: %d-byte messages, %d per transaction, WRITE_AHEAD, flush none, 1 024 keys, "
                        + "topic of %d partitions; Kafka 4.1.0 broker (one KRaft node, child JVM, loopback) on the same "
                        + "machine; %s%n", payloadBytes, perTx, PARTITIONS, Machine.describe());
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
            Bench bench = new Bench(broker, payloadBytes);
            for (int warmup = 0; warmup < WARMUP_ROUNDS; warmup++) { // JIT warm-up of both JVMs, not reported
                bench.bridgeThroughput(messages, perTx);
                bench.producerRound(messages);
            }
            System.out.printf("%n%-6s %-48s %14s %10s %16s %16s %12s %12s%n", "round", "commit → broker acknowledgement, "
                    + String.format("%,d", messages) + " messages", "messages/s", "seconds", "CPU µs/msg here",
                    "CPU µs/msg broker", "records/req", "bytes/record");
            Round bridgeTotal = Round.NONE;
            Round producerTotal = Round.NONE;
            double[] ratios = new double[rounds];
            for (int round = 1; round <= rounds; round++) {
                Round bridge = bench.bridgeThroughput(messages, perTx);
                Round producer = bench.producerRound(messages);
                bridgeTotal = bridgeTotal.plus(bridge);
                producerTotal = producerTotal.plus(producer);
                ratios[round - 1] = producer.seconds() / bridge.seconds(); // the bridge's rate over the producer's
                bridge.print(Integer.toString(round), "denormq + KafkaBridge (" + perTx + " per tx)", messages);
                producer.print("", "baseline: plain idempotent KafkaProducer", messages);
            }
            java.util.Arrays.sort(ratios);
            System.out.printf("%nover %d rounds: bridge %,.0f messages/s, plain producer %,.0f messages/s; bridge / producer "
                            + "%.2f (per round: median %.2f, %.2f to %.2f)%n", rounds, messages * rounds / bridgeTotal.seconds(),
                    messages * rounds / producerTotal.seconds(), producerTotal.seconds() / bridgeTotal.seconds(),
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
            System.out.printf("CPU per message, this JVM + the broker's: bridge %.2f + %.2f µs, plain producer %.2f + %.2f µs "
                            + "(2 cores give %.2f µs of CPU per message at the producer's rate)%n",
                    bridgeTotal.clientMicrosPer(messages * rounds), bridgeTotal.brokerMicrosPer(messages * rounds),
                    producerTotal.clientMicrosPer(messages * rounds), producerTotal.brokerMicrosPer(messages * rounds),
                    Runtime.getRuntime().availableProcessors() * producerTotal.seconds() * 1e6 / (messages * (double) rounds));

            System.out.printf("%nLatency at %,d messages/s, one message per transaction, %.0f s measured after %.0f s of "
                    + "warm-up (µs)%n", rate, latencySeconds, latencyWarmupSeconds);
            System.out.printf("%-46s %10s %10s %10s %10s %10s%n", "", "p50", "p90", "p99", "p99.9", "max");
            Latency bridgeLatency = bench.bridgeLatency(rate, latencyWarmupSeconds, latencySeconds);
            Latency producerLatency = bench.producerLatency(rate, latencyWarmupSeconds, latencySeconds);
            bridgeLatency.print("denormq + KafkaBridge: commit → acknowledged", "commit → consumer");
            producerLatency.print("baseline producer: send → acknowledged", "send → consumer");
            System.out.printf("(publisher at most %.1f ms / %.1f ms behind schedule)%n", bridgeLatency.maxBehindNanos / 1e6,
                    producerLatency.maxBehindNanos / 1e6);
            new PercentilePlot(String.format(java.util.Locale.ROOT, "Kafka bridge at %,d messages/s, %s", rate,
                    Machine.describe()))
                    .add("denormq + KafkaBridge: commit → acknowledged", bridgeLatency.acknowledged())
                    .add("plain producer: send → acknowledged", producerLatency.acknowledged())
                    .add("denormq + KafkaBridge: commit → consumer", bridgeLatency.consumed())
                    .add("plain producer: send → consumer", producerLatency.consumed())
                    .write("kafka-bridge-latency");
        } finally {
            KafkaBroker.deleteRecursively(dir);
        }
        System.out.printf("%nrun took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * One timed round: wall-clock time, and the CPU time this JVM (every thread: publisher, reader,
     * handler, the producer's I/O thread, GC, JIT) and the broker's JVM used meanwhile, which tells
     * where the bridge's extra cost goes on a machine whose cores all of them share.
     */
    private record Round(double seconds, long clientCpuNanos, long brokerCpuNanos, double recordsPerRequest,
                         double recordBytes) {
        static final Round NONE = new Round(0, 0, 0, 0, 0);
        private static final com.sun.management.OperatingSystemMXBean OS =
                java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

        static Start start(KafkaBroker broker) {
            return new Start(System.nanoTime(), OS.getProcessCpuTime(), broker.cpuTime().toNanos(), ThreadCpu.read(),
                    ThreadCpu.switches());
        }

        /** The clock and CPU readings a round started with. */
        record Start(long nanos, long clientCpuNanos, long brokerCpuNanos, Map<Long, ThreadCpu> threads,
                     Map<String, Long> switches) {
            /** Call it while the round's producer is still open: it reads that producer's batching. */
            Round end(KafkaBroker broker, String name, int messages) {
                Round round = new Round((System.nanoTime() - nanos) / 1e9, OS.getProcessCpuTime() - clientCpuNanos,
                        broker.cpuTime().toNanos() - brokerCpuNanos, producerMetric("records-per-request-avg"),
                        producerMetric("record-size-avg"));
                ThreadCpu.printSince(threads, name, messages);
                ThreadCpu.printSwitchesSince(switches, name, messages);
                return round;
            }
        }

        Round plus(Round other) {
            return new Round(seconds + other.seconds, clientCpuNanos + other.clientCpuNanos,
                    brokerCpuNanos + other.brokerCpuNanos, recordsPerRequest + other.recordsPerRequest,
                    recordBytes + other.recordBytes);
        }

        /**
         * @return the open producers' {@code metric} ({@code records-per-request-avg}, {@code record-size-avg}:
         *         Kafka's client metrics, over their sample
         *         window), summed: each round has one producer open, the bridge's or the plain one
         */
        private static double producerMetric(String metric) {
            try {
                javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                double sum = 0;
                for (javax.management.ObjectName name : server.queryNames(
                        new javax.management.ObjectName("kafka.producer:type=producer-metrics,client-id=*"), null)) {
                    Object value = server.getAttribute(name, metric);
                    if (value instanceof Number number && !Double.isNaN(number.doubleValue())) {
                        sum += number.doubleValue();
                    }
                }
                return sum;
            } catch (javax.management.JMException e) {
                return Double.NaN;
            }
        }

        double clientMicrosPer(long messages) {
            return clientCpuNanos / 1e3 / messages;
        }

        double brokerMicrosPer(long messages) {
            return brokerCpuNanos / 1e3 / messages;
        }

        void print(String round, String name, int messages) {
            System.out.printf("%-6s %-48s %,14.0f %10.2f %16.2f %16.2f %12.1f %12.1f%n", round, name, messages / seconds,
                    seconds, clientMicrosPer(messages), brokerMicrosPer(messages), recordsPerRequest, recordBytes);
        }
    }

    /**
     * CPU time per thread of this JVM, printed per round (µs per message, by thread name without its
     * digits) when {@code -Dbench.threads=true}: where the application's share of a round's CPU went.
     */
    private record ThreadCpu(String name, long nanos) {
        private static final boolean PRINT = Boolean.getBoolean("bench.threads");
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

        static Map<Long, ThreadCpu> read() {
            Map<Long, ThreadCpu> threads = new HashMap<>();
            if (PRINT) {
                for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                    if (info != null) {
                        threads.put(info.getThreadId(), new ThreadCpu(info.getThreadName().replaceAll("[0-9]+", "#"),
                                THREADS.getThreadCpuTime(info.getThreadId())));
                    }
                }
            }
            return threads;
        }

        static void printSince(Map<Long, ThreadCpu> before, String round, int messages) {
            if (!PRINT) {
                return;
            }
            Map<String, Long> byName = new java.util.TreeMap<>();
            read().forEach((id, now) -> byName.merge(now.name(),
                    now.nanos() - before.getOrDefault(id, new ThreadCpu(now.name(), 0)).nanos(), Long::sum));
            StringBuilder line = new StringBuilder("  threads (" + round + ", CPU µs/msg):");
            byName.entrySet().stream().filter(e -> e.getValue() * 100L > messages * 1_000L) // ≥ 0.01 µs/msg
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> line.append(String.format(" %s %.2f;", e.getKey(), e.getValue() / 1e3 / messages)));
            System.out.println(line);
        }

        /** @return voluntary context switches per thread name (Linux's 15-character {@code comm}), from /proc */
        static Map<String, Long> switches() {
            Map<String, Long> byName = new java.util.TreeMap<>();
            if (!PRINT) {
                return byName;
            }
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                        for (String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:")) {
                                byName.merge(name, Long.parseLong(line.substring(line.indexOf(':') + 1).trim()), Long::sum);
                            }
                        }
                    } catch (java.io.IOException | RuntimeException threadEnded) {
                        // a thread that ended meanwhile has no switches to count
                    }
                }
            } catch (java.io.IOException e) {
                return byName;
            }
            return byName;
        }

        static void printSwitchesSince(Map<String, Long> before, String round, int messages) {
            if (!PRINT) {
                return;
            }
            StringBuilder line = new StringBuilder("  switches (" + round + ", per 1 000 msg):");
            switches().forEach((name, now) -> {
                long delta = now - before.getOrDefault(name, 0L);
                if (delta * 1000L >= messages) { // at least one per million
                    line.append(String.format(" %s %.2f;", name, delta * 1000.0 / messages));
                }
            });
            System.out.println(line);
        }
    }

    /** One broker, and what each measurement needs. */
    private static final class Bench {
        private final KafkaBroker broker;
        private final byte[] payload;
        private final String[] keys = new String[KEYS];
        private final Header sourceHeader = new RecordHeader(DenormqHeaders.SOURCE, "bench".getBytes(StandardCharsets.UTF_8));
        private final Header denormqTopicHeader =
                new RecordHeader(DenormqHeaders.TOPIC, PublishBenchmark.TOPIC.getBytes(StandardCharsets.UTF_8));

        Bench(KafkaBroker broker, int payloadBytes) {
            this.broker = broker;
            this.payload = PublishBenchmark.payload(payloadBytes);
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "customer-" + i;
            }
        }

        String newTopic() throws Exception {
            String topic = "bench-" + TOPICS.incrementAndGet();
            broker.createTopic(topic, PARTITIONS);
            return topic;
        }

        /** @return the time from the first commit until every record was acknowledged and released to the cursor */
        Round bridgeThroughput(int messages, int perTx) throws Exception {
            String topic = newTopic();
            try (TempJournal journal = new TempJournal("kafka");
                 KafkaBridge bridge = KafkaBridge.builder().bootstrapServers(broker.bootstrapServers())
                         .defaultTopic(topic).source("bench").build()) {
                DenormQueue queue = DenormQueue.builder(journal.dir()).durability(Durability.WRITE_AHEAD)
                        .flush(FlushPolicy.none()).handler("kafka", bridge).build();
                try {
                    Round.Start round = Round.start(broker);
                    for (int i = 0; i < messages; ) {
                        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                            for (int m = 0; m < perTx && i < messages; m++, i++) {
                                queue.publish(PublishBenchmark.TOPIC, keys[i % KEYS], payload);
                            }
                            tx.commit(() -> { });
                        }
                    }
                    if (!queue.awaitProcessed(Duration.ofMinutes(5))) {
                        throw new IllegalStateException("the bridge did not drain within 5 minutes: " + queue.stats());
                    }
                    Round measured = round.end(broker, "bridge", messages);
                    if (bridge.stats().acknowledged() != messages) {
                        throw new IllegalStateException("acknowledged " + bridge.stats() + " of " + messages);
                    }
                    return measured;
                } finally {
                    queue.close();
                }
            }
        }

        /**
         * {@link #producerThroughput}, run again (on a new topic) when the plain producer gave up on a batch: on
         * these machines, under load, one batch of a round now and then waits out {@code delivery.timeout.ms}
         * (120 s) and fails, where the bridge would re-send it. Each repeat is printed with its cause.
         */
        Round producerRound(int messages) throws Exception {
            for (int attempt = 1; ; attempt++) {
                try {
                    return producerThroughput(messages);
                } catch (IllegalStateException e) {
                    if (attempt == 3 || !(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
                        throw e;
                    }
                    System.out.printf("(a plain producer round failed and is run again: %s)%n", e.getCause().getMessage());
                }
            }
        }

        /** @return the time from the first send until the last acknowledgement, one thread, the same records */
        Round producerThroughput(int messages) throws Exception {
            String topic = newTopic();
            AtomicLong acknowledged = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
                producer.partitionsFor(topic); // metadata, as the bridge's first send fetches it too (before its clock)
                Round.Start round = Round.start(broker);
                for (int i = 0; i < messages; i++) {
                    producer.send(recordLikeTheBridges(topic, i), (metadata, e) -> {
                        if (e != null) {
                            failure.set(e);
                        }
                        acknowledged.incrementAndGet();
                    });
                }
                producer.flush();
                Round measured = round.end(broker, "producer", messages);
                if (failure.get() != null || acknowledged.get() != messages) {
                    throw new IllegalStateException("plain producer: " + acknowledged.get() + " of " + messages, failure.get());
                }
                return measured;
            }
        }

        Latency bridgeLatency(int rate, double warmupSeconds, double seconds) throws Exception {
            String topic = newTopic();
            int warmup = (int) (warmupSeconds * rate);
            int total = warmup + (int) (rate * seconds);
            long[] committed = new long[total];
            long[] handled = new long[total];
            long[] acknowledged = new long[total];
            long[] consumed = new long[total];
            try (TempJournal journal = new TempJournal("kafka-latency");
                 KafkaBridge bridge = KafkaBridge.builder().bootstrapServers(broker.bootstrapServers()).defaultTopic(topic)
                         .source("bench").producerProperty(ProducerConfig.LINGER_MS_CONFIG, 0).build();
                 Consumer consumer = new Consumer(broker.bootstrapServers(), topic, consumed)) {
                AckTimes timed = new AckTimes(bridge, handled, acknowledged);
                DenormQueue queue = DenormQueue.builder(journal.dir()).handler("kafka", timed).build();
                long maxBehind;
                try {
                    maxBehind = Pacing.run(System.nanoTime() + 1_000_000, rate, total, warmup, i -> {
                        PayloadNumber.write(payload, i);
                        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                            queue.publish(PublishBenchmark.TOPIC, keys[i % KEYS], payload);
                            tx.commit(() -> { });
                        }
                        committed[i] = System.nanoTime();
                    });
                    if (!queue.awaitProcessed(Duration.ofMinutes(2))) {
                        throw new IllegalStateException("the bridge did not drain: " + queue.stats());
                    }
                    consumer.await(total);
                } finally {
                    queue.close();
                }
                return new Latency(histogram(committed, acknowledged, warmup), histogram(committed, consumed, warmup),
                        histogram(committed, handled, warmup), histogram(handled, acknowledged, warmup), maxBehind);
            }
        }

        Latency producerLatency(int rate, double warmupSeconds, double seconds) throws Exception {
            String topic = newTopic();
            int warmup = (int) (warmupSeconds * rate);
            int total = warmup + (int) (rate * seconds);
            long[] sent = new long[total];
            long[] acknowledged = new long[total];
            long[] consumed = new long[total];
            try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
                 Consumer consumer = new Consumer(broker.bootstrapServers(), topic, consumed)) {
                producer.partitionsFor(topic);
                long maxBehind = Pacing.run(System.nanoTime() + 1_000_000, rate, total, warmup, i -> {
                    PayloadNumber.write(payload, i);
                    sent[i] = System.nanoTime();
                    producer.send(recordLikeTheBridges(topic, i), (metadata, e) -> acknowledged[i] = System.nanoTime());
                });
                producer.flush();
                consumer.await(total);
                return new Latency(histogram(sent, acknowledged, warmup), histogram(sent, consumed, warmup), null, null,
                        maxBehind);
            }
        }

        /**
         * What the bridge sends for the {@code i}th message: key and payload copied, its four headers (ids
         * and sequences of the same length), the release time.
         */
        private ProducerRecord<byte[], byte[]> recordLikeTheBridges(String topic, int i) {
            byte[] number = Long.toString(SEQUENCE_LIKE + i).getBytes(StandardCharsets.US_ASCII);
            RecordHeaders headers = new RecordHeaders(new Header[] {new RecordHeader(DenormqHeaders.ID, number),
                    new RecordHeader(DenormqHeaders.SEQUENCE, number.clone()), denormqTopicHeader, sourceHeader});
            return new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                    keys[i % KEYS].getBytes(StandardCharsets.UTF_8), payload.clone(), headers);
        }

        private KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
            Map<String, Object> config = new HashMap<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE,
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5));
            config.putAll(extra);
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
    }

    private static Histogram histogram(long[] from, long[] to, int warmup) {
        Histogram histogram = new Histogram(3);
        for (int i = warmup; i < from.length; i++) {
            if (to[i] == 0) {
                throw new IllegalStateException("message " + i + " was never timed");
            }
            histogram.recordValue(Math.max(0, to[i] - from[i]));
        }
        return histogram;
    }

    /** What one latency run measured. */
    private record Latency(Histogram acknowledged, Histogram consumed, Histogram handled, Histogram handledToAcknowledged,
                           long maxBehindNanos) {
        void print(String acknowledgedName, String consumedName) {
            row(acknowledgedName, acknowledged);
            if (handled != null) {
                row("  of which commit → handler", handled);
                row("  and handler → acknowledged", handledToAcknowledged);
            }
            row("  " + consumedName, consumed);
        }

        private static void row(String name, Histogram histogram) {
            System.out.printf("%-46s %,10.0f %,10.0f %,10.0f %,10.0f %,10.0f%n", name,
                    histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
                    histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                    histogram.getMaxValue() / 1e3);
        }
    }

    /**
     * Wraps the bridge to note when each message's acknowledgement reaches the queue: the bridge
     * acknowledges there (on the producer's I/O thread) as the broker acknowledges the record.
     */
    private static final class AckTimes implements AsyncMessageHandler {
        private final KafkaBridge bridge;
        private final long[] handled;
        private final long[] acknowledged;
        private final Map<Long, Integer> indexBySequence = new java.util.concurrent.ConcurrentHashMap<>();

        AckTimes(KafkaBridge bridge, long[] handled, long[] acknowledged) {
            this.bridge = bridge;
            this.handled = handled;
            this.acknowledged = acknowledged;
        }

        @Override
        public void onStart(HandlerContext context) throws Exception {
            Acknowledgements queue = context.acknowledgements();
            Acknowledgements timed = new Acknowledgements() {
                @Override
                public void acknowledge(long sequence) {
                    queue.acknowledge(sequence);
                    Integer index = indexBySequence.remove(sequence);
                    if (index != null) {
                        acknowledged[index] = System.nanoTime();
                    }
                }

                @Override
                public void acknowledgeUpTo(long sequence) {
                    throw new UnsupportedOperationException("the bridge acknowledges one message at a time");
                }

                @Override
                public void fail(Message message, Throwable failure) {
                    queue.fail(message, failure);
                }
            };
            bridge.onStart(new HandlerContext() {
                @Override
                public String journalId() {
                    return context.journalId();
                }

                @Override
                public String handlerName() {
                    return context.handlerName();
                }

                @Override
                public int partition() {
                    return context.partition();
                }

                @Override
                public int partitionCount() {
                    return context.partitionCount();
                }

                @Override
                public RetryPolicy retryPolicy() {
                    return context.retryPolicy();
                }

                @Override
                public void deadLetter(Message message, int attempts, Throwable failure) {
                    context.deadLetter(message, attempts, failure);
                }

                @Override
                public Acknowledgements acknowledgements() {
                    return timed;
                }
            });
        }

        @Override
        public int maxInFlight() {
            return bridge.maxInFlight();
        }

        @Override
        public void onMessage(Message message) throws Exception {
            int index = (int) PayloadNumber.read(message.payload(), 0);
            handled[index] = System.nanoTime();
            indexBySequence.put(message.sequence(), index);
            bridge.onMessage(message);
        }

        @Override
        public void onCaughtUp() throws Exception {
            bridge.onCaughtUp();
        }
    }

    /** A consumer thread noting when each record arrives, by the index in its payload. */
    private static final class Consumer implements AutoCloseable {
        private final Thread thread;
        private final AtomicInteger received = new AtomicInteger();
        private volatile boolean stop;

        Consumer(String bootstrapServers, String topic, long[] consumed) throws InterruptedException {
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position); // positioned before anything is sent
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            thread = new Thread(() -> {
                try (consumer) {
                    ready.countDown();
                    while (!stop) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            long now = System.nanoTime();
                            int index = (int) PayloadNumber.read(record.value(), 0);
                            if (consumed[index] == 0) { // a duplicate would not be a new arrival
                                consumed[index] = now;
                            }
                            received.incrementAndGet();
                        }
                    }
                }
            }, "bench-consumer");
            thread.start();
            ready.await();
        }

        void await(int records) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (received.get() < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the consumer received " + received.get() + " of " + records);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
