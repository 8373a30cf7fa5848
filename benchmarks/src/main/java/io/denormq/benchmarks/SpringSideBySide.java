package io.denormq.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import io.denormq.DenormQueue;
import io.denormq.FlushPolicy;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.benchmarks.modulith.DeliveryClock;
import io.denormq.benchmarks.modulith.OrderPlaced;
import io.denormq.benchmarks.modulith.OrderPlacedListener;
import io.denormq.benchmarks.modulith.SideBySideApplication;
import io.denormq.tx.spring.SpringTransactionBinding;
import org.HdrHistogram.Histogram;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The same Spring transaction three ways, in one JVM and one Spring Boot application (H2 in memory,
 * Boot's HikariCP pool and its {@code JdbcTransactionManager}, a {@code DataSourceTransactionManager}):
 * a {@link TransactionTemplate} that inserts one row with {@link JdbcTemplate} and then
 * <ol>
 *   <li>(a) <b>no event</b>, the baseline;</li>
 *   <li>(b) <b>denormq</b>: publishes one message through {@link SpringTransactionBinding} (WRITE_AHEAD,
 *       flush none) to a no-op handler;</li>
 *   <li>(c) <b>Modulith</b>: publishes one event with {@link ApplicationEventPublisher}; Spring
 *       Modulith's Event Publication Registry stores it in its JDBC table in the same transaction,
 *       and a no-op {@code @ApplicationModuleListener} gets it after the commit.</li>
 * </ol>
 * The message and the event carry the same things (a number, a customer key, a note of
 * {@code payloadBytes}).
 *
 * <p><b>Commit throughput</b>: each variant runs {@code transactions} transactions on 1 and on 4
 * threads, in rounds that alternate the variants; a first round of the same size warms up and is not reported.
 * Per run: transactions/s, the time each transaction took (begin to {@code execute} returning),
 * and what (b) and (c) add to (a) of the same round. Between runs the harness waits until every
 * message and event has been handled (and, for (c), every publication marked complete: the
 * "drain" column), then empties the tables, so that every run starts alike.
 *
 * <p><b>Interleaved</b>: then, per round, one thread alternates (a) with (b), transaction by
 * transaction, for {@code transactions} pairs, and (a) with (c) likewise: what each adds at p50 and on
 * average against a baseline measured in the same microseconds, and (c)'s addition ÷ (b)'s.
 *
 * <p><b>Commit → handler</b>: one publisher paced at {@code latencyRate} transactions/s (by intended
 * start time) for (b) and (c); the time from {@code execute} returning to the handler's invocation.
 *
 * <p>Arguments: {@code [transactions=50000] [rounds=3] [latencyRate=1000] [latencySeconds=10] [payloadBytes=200]
 * [database=h2|postgresql]}. PostgreSQL is the server {@code .ci/postgres} starts (or
 * {@code DENORMQ_POSTGRES_URL}), in a schema {@code side_by_side} re-created for the run.
 */
public final class SpringSideBySide {
    private static final int[] THREADS = {1, 4};
    private static final String TOPIC = "order-placed";
    private static final int CUSTOMERS = 1024;

    /** The three ways of running the transaction. */
    enum Variant {
        NO_EVENT("(a) no event"), DENORMQ("(b) denormq"), MODULITH("(c) Modulith registry");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final OrderPlacedListener listener;
    private final DenormQueue queue;
    private final DenormqHandler handler;
    private final String note;
    private final byte[] noteBytes;
    private final AtomicLong numbers = new AtomicLong();

    private SpringSideBySide(ConfigurableApplicationContext context, DenormQueue queue, DenormqHandler handler,
                             int payloadBytes) {
        this.jdbc = context.getBean(JdbcTemplate.class);
        this.transactions = context.getBean(TransactionTemplate.class);
        this.events = context;
        this.listener = context.getBean(OrderPlacedListener.class);
        this.queue = queue;
        this.handler = handler;
        this.noteBytes = PublishBenchmark.payload(payloadBytes);
        this.note = new String(noteBytes, StandardCharsets.US_ASCII);
    }

    /** Points the application at a fresh schema of the PostgreSQL test server. */
    private static Map<String, Object> postgres() throws java.sql.SQLException {
        String url = System.getenv().getOrDefault("DENORMQ_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:55432/denormq");
        String user = System.getenv().getOrDefault("DENORMQ_POSTGRES_USER", "denormq");
        String password = System.getenv().getOrDefault("DENORMQ_POSTGRES_PASSWORD", "denormq");
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(url, user, password);
             java.sql.Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists side_by_side cascade");
            statement.execute("create schema side_by_side");
        }
        return Map.of("spring.datasource.url", url + (url.contains("?") ? "&" : "?") + "currentSchema=side_by_side",
                "spring.datasource.username", user, "spring.datasource.password", password);
    }

    /**
     * @param args transactions per run, rounds, latency rate, latency seconds, payload bytes, database
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        int transactions = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int latencyRate = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        double latencySeconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        int payloadBytes = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        boolean postgres = args.length > 5 && args[5].equals("postgresql");
        long started = System.nanoTime();
        DenormqHandler handler = new DenormqHandler();
        try (TempJournal journal = new TempJournal("spring");
             ConfigurableApplicationContext context = SideBySideApplication.start(postgres ? postgres() : Map.of())) {
            System.out.printf("%nSide by side with Spring Modulith: TransactionTemplate inserting one row (JdbcTemplate, "
                            + (postgres ? "PostgreSQL" : "H2 in memory")
                            + ", %s, %s) plus one event of a %d-byte note; %,d transactions per run, %d "
                            + "measured round(s) after one of warm-up; %s%n",
                    context.getBean(DataSource.class).getClass().getSimpleName(),
                    context.getBean(PlatformTransactionManager.class).getClass().getSimpleName(), payloadBytes,
                    transactions, rounds, Machine.describe());
            DenormQueue queue = DenormQueue.builder(journal.dir()).transactions(new SpringTransactionBinding())
                    .flush(FlushPolicy.none()).handler("side-by-side", handler).build();
            try {
                SpringSideBySide harness = new SpringSideBySide(context, queue, handler, payloadBytes);
                harness.jdbc.execute("create table orders(id bigint primary key, customer varchar(32) not null, "
                        + "note varchar(4000) not null)");
                harness.throughput(transactions, 0, false);
                for (int round = 1; round <= rounds; round++) {
                    harness.throughput(transactions, round, true);
                }
                for (int round = 1; round <= rounds; round++) {
                    harness.interleaved(transactions, round);
                }
                harness.latency(latencyRate, latencyRate, (int) (latencyRate * latencySeconds));
            } finally {
                queue.close();
            }
        }
        System.out.printf("%nrun took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** What one throughput run measured. */
    private record Run(double seconds, int transactions, int threads, Histogram perTransaction, double drainMillis,
                       long gcMillis) {
        double perSecond() {
            return transactions / seconds;
        }

        /** Wall time each transaction occupied its thread, on average. */
        double meanMicros() {
            return seconds * threads / transactions * 1e6;
        }
    }

    private void throughput(int count, int round, boolean report) throws Exception {
        if (report && round == 1) {
            System.out.printf("%n%-5s %-7s %-24s %10s %10s %10s %10s %10s %10s %10s %10s %8s%n", "round", "threads",
                    "variant", "tx/s", "mean µs", "added µs", "p50 µs", "added p50", "p99 µs", "max µs", "drain ms",
                    "GC ms");
        }
        for (int threads : THREADS) {
            Map<Variant, Run> runs = new LinkedHashMap<>();
            for (Variant variant : Variant.values()) {
                runs.put(variant, run(variant, count, threads));
            }
            Run baseline = runs.get(Variant.NO_EVENT);
            for (Map.Entry<Variant, Run> entry : runs.entrySet()) {
                Run run = entry.getValue();
                boolean isBaseline = entry.getKey() == Variant.NO_EVENT;
                if (report) {
                    System.out.printf("%-5d %-7d %-24s %,10.0f %,10.1f %10s %,10.1f %10s %,10.1f %,10.0f %10s %,8d%n",
                            round, threads,
                            entry.getKey().label, run.perSecond(), run.meanMicros(),
                            isBaseline ? "-" : String.format("%,.1f", run.meanMicros() - baseline.meanMicros()),
                            micros(run.perTransaction, 50),
                            isBaseline ? "-" : String.format("%,.1f", micros(run.perTransaction, 50)
                                    - micros(baseline.perTransaction, 50)),
                            micros(run.perTransaction, 99), run.perTransaction.getMaxValue() / 1e3,
                            isBaseline ? "-" : String.format("%,.0f", run.drainMillis), run.gcMillis);
                }
            }
        }
    }

    private Run run(Variant variant, int count, int threads) throws Exception {
        DeliveryClock clock = reportingTo(new DeliveryClock());
        int perThread = count / threads;
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            Histogram histogram = new Histogram(3);
            histograms.add(histogram);
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        long start = System.nanoTime();
                        transaction(variant, numbers.incrementAndGet());
                        histogram.recordValue(System.nanoTime() - start);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "publisher-" + t);
            workers.add(worker);
            worker.start();
        }
        long gcBefore = gcMillis();
        long start = System.nanoTime();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        long published = System.nanoTime();
        int total = perThread * threads;
        awaitDrained(variant, clock, total);
        long drained = System.nanoTime();
        Histogram merged = new Histogram(3);
        histograms.forEach(merged::add);
        if (merged.getTotalCount() != total) {
            throw new IllegalStateException(variant.label + ": " + merged.getTotalCount() + " of " + total
                    + " transactions completed; a publisher thread failed");
        }
        emptyTables(variant);
        return new Run((published - start) / 1e9, total, threads, merged, (drained - published) / 1e6,
                gcMillis() - gcBefore);
    }

    /** One transaction: insert a row, then publish (or not) the event about it. */
    private void transaction(Variant variant, long number) {
        String customer = "customer-" + (number % CUSTOMERS);
        transactions.executeWithoutResult(status -> {
            jdbc.update("insert into orders(id, customer, note) values (?, ?, ?)", number, customer, note);
            switch (variant) {
                case NO_EVENT -> { }
                case DENORMQ -> queue.publish(TOPIC, customer, denormqPayload(number));
                case MODULITH -> events.publishEvent(new OrderPlaced(number, customer, note));
                default -> throw new IllegalArgumentException(variant.name());
            }
        });
    }

    /** The message's payload: the number, then the note; the customer is the message's key. */
    private byte[] denormqPayload(long number) {
        byte[] payload = new byte[PayloadNumber.BYTES + noteBytes.length];
        PayloadNumber.write(payload, number);
        System.arraycopy(noteBytes, 0, payload, PayloadNumber.BYTES, noteBytes.length);
        return payload;
    }

    /** Makes the denormq handler and the Modulith listener note their deliveries on {@code clock}. */
    private DeliveryClock reportingTo(DeliveryClock clock) {
        handler.reportTo(clock);
        listener.reportTo(clock);
        return clock;
    }

    /** Empties what a run of {@code variant} wrote, so that every run starts alike. */
    private void emptyTables(Variant variant) {
        jdbc.update("delete from orders");
        if (variant == Variant.MODULITH) {
            jdbc.update("delete from event_publication");
        }
    }

    /** Waits until every message or event was handled and, for Modulith, every publication marked complete. */
    private void awaitDrained(Variant variant, DeliveryClock clock, long expected) throws InterruptedException {
        if (variant == Variant.NO_EVENT) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (clock.count() < expected || (variant == Variant.MODULITH && incompletePublications() > 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(variant.label + ": " + clock.count() + " of " + expected
                        + " handled after 10 minutes");
            }
            LockSupport.parkNanos(1_000_000);
        }
        if (variant == Variant.DENORMQ && !queue.awaitProcessed(Duration.ofMinutes(1))) {
            throw new IllegalStateException("denormq does not report every message processed");
        }
        if (clock.count() != expected) {
            throw new IllegalStateException(variant.label + ": " + clock.count() + " deliveries for " + expected
                    + " transactions");
        }
    }

    private long incompletePublications() {
        Long count = jdbc.queryForObject("select count(*) from event_publication where completion_date is null",
                Long.class);
        return count == null ? 0 : count;
    }

    /**
     * What (b) and (c) add to a transaction, each measured against (a) in the same loop: one thread
     * alternates the variant and the baseline transaction by transaction (which comes first alternates
     * too), so that both see the same machine from one microsecond to the next; a difference of a
     * microsecond stays visible although whole runs of (a) differ by more from one round to the next.
     */
    private void interleaved(int pairs, int round) throws Exception {
        if (round == 1) {
            System.out.printf("%nInterleaved with the baseline: one thread, (a) and the variant alternating transaction by "
                    + "transaction, %,d pairs per round (µs)%n", pairs);
            System.out.printf("%-5s %-24s %10s %10s %10s %10s %12s%n", "round", "variant", "p50 (a)", "p50", "added p50",
                    "added mean", "(c) ÷ (b)");
        }
        Map<Variant, double[]> added = new LinkedHashMap<>();
        PercentilePlot plot = new PercentilePlot("Spring TransactionTemplate, interleaved round " + round + ", "
                + Machine.describe());
        for (Variant variant : List.of(Variant.DENORMQ, Variant.MODULITH)) {
            DeliveryClock clock = reportingTo(new DeliveryClock());
            Histogram baseline = new Histogram(3);
            Histogram with = new Histogram(3);
            long baselineNanos = 0;
            long withNanos = 0;
            for (int i = 0; i < pairs; i++) {
                for (int k = 0; k < 2; k++) {
                    boolean isBaseline = (k == 0) == ((i & 1) == 0);
                    long start = System.nanoTime();
                    transaction(isBaseline ? Variant.NO_EVENT : variant, numbers.incrementAndGet());
                    long took = System.nanoTime() - start;
                    if (isBaseline) {
                        baseline.recordValue(took);
                        baselineNanos += took;
                    } else {
                        with.recordValue(took);
                        withNanos += took;
                    }
                }
            }
            awaitDrained(variant, clock, pairs);
            emptyTables(variant);
            plot.add(variant.label, with).add("(a) beside " + variant.label, baseline);
            double addedP50 = micros(with, 50) - micros(baseline, 50);
            double addedMean = (withNanos - baselineNanos) / 1e3 / pairs;
            added.put(variant, new double[] {addedP50, addedMean});
            boolean last = variant == Variant.MODULITH;
            System.out.printf("%-5d %-24s %,10.2f %,10.2f %,10.2f %,10.2f %12s%n", round, variant.label, micros(baseline, 50),
                    micros(with, 50), addedP50, addedMean, last ? String.format(java.util.Locale.ROOT, "%.0f× p50, %.0f× mean",
                            addedP50 / added.get(Variant.DENORMQ)[0], addedMean / added.get(Variant.DENORMQ)[1]) : "");
        }
        plot.write("spring-side-by-side"); // each round replaces the last: the file shows the last round
    }

    /** Paced single-publisher runs of (b) and (c): commit → handler. */
    private void latency(int rate, int warmup, int measured) throws Exception {
        System.out.printf("%ncommit → handler, one publisher paced at %,d tx/s, %,d transactions after %,d of warm-up "
                + "(µs, to the handler's invocation from TransactionTemplate.execute returning, and from the time the "
                + "transaction was meant to start)%n", rate, measured, warmup);
        System.out.printf("%-34s %10s %10s %10s %10s %10s %s%n", "variant", "p50", "p90", "p99", "p99.9", "max",
                "notes");
        for (Variant variant : List.of(Variant.DENORMQ, Variant.MODULITH)) {
            int total = warmup + measured;
            long first = numbers.get() + 1;
            DeliveryClock clock = reportingTo(new DeliveryClock(first, total));
            long[] committed = new long[total];
            long start = System.nanoTime() + 1_000_000;
            long maxBehind = Pacing.run(start, rate, total, warmup, i -> {
                transaction(variant, numbers.incrementAndGet());
                committed[i] = System.nanoTime();
            });
            awaitDrained(variant, clock, total);
            Histogram fromCommit = new Histogram(3);
            Histogram fromStart = new Histogram(3);
            long early = 0;
            for (int i = warmup; i < total; i++) {
                long delivered = clock.deliveredAt(first + i);
                early += delivered < committed[i] ? 1 : 0;
                fromCommit.recordValue(Math.max(0, delivered - committed[i]));
                fromStart.recordValue(Math.max(0, delivered - Pacing.intendedStart(start, rate, i)));
            }
            latencyRow(variant.label + ", from commit", fromCommit, String.format("publisher at most %,.1f ms behind "
                    + "schedule; %d handled before execute returned (counted as 0)", maxBehind / 1e6, early));
            latencyRow("  from intended start", fromStart, "");
            emptyTables(variant);
        }
    }

    private static void latencyRow(String name, Histogram histogram, String notes) {
        System.out.printf("%-34s %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %s%n", name, micros(histogram, 50),
                micros(histogram, 90), micros(histogram, 99), micros(histogram, 99.9), histogram.getMaxValue() / 1e3,
                notes);
    }

    /** @return milliseconds this JVM has spent collecting garbage so far (pauses and concurrent work alike) */
    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, collector.getCollectionTime());
        }
        return total;
    }

    private static double micros(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** The denormq side's no-op handler: reports each message's number to the current clock. */
    private static final class DenormqHandler implements MessageHandler {
        private volatile DeliveryClock clock = new DeliveryClock();

        void reportTo(DeliveryClock clock) {
            this.clock = clock;
        }

        @Override
        public void onMessage(Message message) {
            clock.delivered(message.payload(PayloadNumber.CODEC));
        }
    }
}
