package io.denormq.recovery.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code denormq demo}: an embedded H2 order database whose per-customer totals are kept by a
 * denormq handler. Runs the transactions (some rolled back), waits for the handler, and checks
 * that the read model equals the totals recomputed from the orders. Exit code 0 when they match.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run an order system on embedded H2 whose read model is kept by a denormq handler, "
                + "then check the read model against the orders.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--transactions", defaultValue = "20000", description = "Transactions to run (default ${DEFAULT-VALUE}).")
    int transactions;

    @Option(names = "--threads", defaultValue = "2", description = "Publisher threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--customers", defaultValue = "200", description = "Distinct customers (default ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--rollback-percent", defaultValue = "10",
            description = "Share of transactions rolled back after publishing (default ${DEFAULT-VALUE}).")
    int rollbackPercent;

    @Option(names = "--durability", defaultValue = "WRITE_AHEAD",
            description = "WRITE_AHEAD or AFTER_COMMIT (default ${DEFAULT-VALUE}).")
    Durability durability;

    @Option(names = "--dir", description = "Work directory for the database and the journal (default: a new temporary one).")
    Path dir;

    @Option(names = "--keep", description = "Keep the work directory afterwards.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (transactions < 1 || threads < 1 || customers < 1 || rollbackPercent < 0 || rollbackPercent > 100) {
            spec.commandLine().getErr().println("demo: --transactions, --threads and --customers must be positive and "
                    + "--rollback-percent 0..100");
            return 2;
        }
        Path workDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("denormq-demo-");
        try {
            return run(workDir, out);
        } finally {
            if (keep || dir != null) {
                out.println("work directory kept: " + workDir);
            } else {
                deleteRecursively(workDir);
            }
            out.flush();
        }
    }

    private int run(Path workDir, PrintWriter out) throws Exception {
        DemoDatabase database = new DemoDatabase(workDir.resolve("db"));
        database.createSchema();
        out.printf("denormq demo: %d transactions from %d threads, %d customers, %d%% rolled back, %s; work dir %s%n",
                transactions, threads, customers, rollbackPercent, durability, workDir);
        out.flush();
        OrderWorkload.Result result;
        long drainNanos;
        try (CustomerTotalsHandler handler = new CustomerTotalsHandler(database)) {
            DenormQueue queue = DenormQueue.builder(workDir.resolve("journal"))
                    .durability(durability)
                    .handler(CustomerTotalsHandler.NAME, handler)
                    .build();
            try (ProgressBar progress = new ProgressBarBuilder().setTaskName("transactions").setInitialMax(transactions)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build()) {
                result = new OrderWorkload(database, queue, customers, rollbackPercent)
                        .run(transactions, threads, progress::step);
            }
            long drainStart = System.nanoTime();
            boolean drained = queue.awaitProcessed(Duration.ofMinutes(2));
            drainNanos = System.nanoTime() - drainStart;
            queue.close();
            if (!drained) {
                out.println("FAILED: the handler did not catch up within 2 minutes");
                return 1;
            }
        }
        printSummary(out, result, drainNanos);
        List<String> mismatches = database.mismatches();
        if (mismatches.isEmpty()) {
            out.printf("read model check: OK (%d customers match the orders exactly)%n", database.customerCount());
            return 0;
        }
        out.printf("read model check: FAILED (%d customers differ)%n", mismatches.size());
        mismatches.stream().limit(20).forEach(line -> out.println("  " + line));
        return 1;
    }

    private static void printSummary(PrintWriter out, OrderWorkload.Result result, long drainNanos) {
        double seconds = result.nanos() / 1e9;
        Histogram publish = result.publishNanos().getIntervalHistogram();
        Histogram commit = result.commitOverheadNanos().getIntervalHistogram();
        out.printf("transactions: %d committed, %d rolled back; %d messages released%n", result.committed(),
                result.rolledBack(), result.messages());
        out.printf("throughput:   %.0f transactions/s, %.0f messages/s (H2 file database included); handler caught up "
                + "%.0f ms after the last commit%n", (result.committed() + result.rolledBack()) / seconds,
                result.messages() / seconds, drainNanos / 1e6);
        out.printf("publish():    median %.2f us, p99 %.2f us per call (no I/O: joins the transaction's batch)%n",
                publish.getValueAtPercentile(50) / 1e3, publish.getValueAtPercentile(99) / 1e3);
        out.printf("commit step:  median %.2f us, p99 %.2f us added beyond the database's own commit "
                + "(journal the batch, then release it)%n", commit.getValueAtPercentile(50) / 1e3,
                commit.getValueAtPercentile(99) / 1e3);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
