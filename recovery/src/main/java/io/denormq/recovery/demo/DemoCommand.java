package io.denormq.recovery.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import io.denormq.DenormQueue;
import io.denormq.Durability;
import io.denormq.MessageHandler;
import io.denormq.tx.applied.JdbcTransactionalHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code denormq demo}: an order system on an embedded H2 file database whose per-customer totals
 * (the read model) are kept by a denormq handler. Runs the transactions, some of them rolled back
 * after publishing, waits for the handler, then checks that the read model equals the totals
 * recomputed from the orders. Exit code 0 when they match, 1 when they do not.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run an order system on embedded H2 whose read model (per-customer totals) is kept by a "
                + "denormq handler, then check the read model against the orders.",
                "Exit code 0 if the read model matches, 1 if it does not."})
public final class DemoCommand implements Callable<Integer> {
    /** How long to wait for the handler to apply everything after the last transaction. */
    private static final Duration HANDLER_WAIT = Duration.ofMinutes(2);

    @Spec
    private CommandSpec spec;

    @Option(names = "--transactions", defaultValue = "20000", paramLabel = "N",
            description = "Transactions to run (default: ${DEFAULT-VALUE}).")
    int transactions;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
            description = "Publisher threads, each with its own connection (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--customers", defaultValue = "200", paramLabel = "N",
            description = "Distinct customers (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--rollback-percent", defaultValue = "10", paramLabel = "P",
            description = "Share of the transactions rolled back after publishing, 0 to 100 (default: ${DEFAULT-VALUE}).")
    int rollbackPercent;

    @Option(names = "--durability", defaultValue = "WRITE_AHEAD", paramLabel = "MODE",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Durability durability;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Empty or new directory for the database and the journal, kept afterwards "
                    + "(default: a new temporary directory).")
    Path dir;

    @Option(names = "--keep", description = "Keep the temporary directory afterwards.")
    boolean keep;

    @Option(names = "--no-progress", description = "Draw no progress bar.")
    boolean noProgress;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Run against this database instead of the embedded H2 file database, e.g. "
                    + "jdbc:postgresql://127.0.0.1:55432/denormq?currentSchema=demo (its tables are created if missing; "
                    + "give it an empty schema).")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "The database user, with --jdbc-url.")
    String jdbcUser;

    @Option(names = "--jdbc-password", paramLabel = "PASSWORD", description = "The password, with --jdbc-url.")
    String jdbcPassword;

    @Option(names = "--crash", paramLabel = "N", defaultValue = "0",
            description = "Run the demo in a child process, kill it with kill -9 N times at random moments and "
                    + "restart it on the same database and journal, then check the read model (default: no crash).")
    int crashes;

    /** Set on the children of --crash: go on in the existing --dir. */
    @Option(names = "--resume", hidden = true)
    boolean resume;

    /** Wraps the read-model handler; tests use it to break the read model on purpose. */
    UnaryOperator<MessageHandler> handlerWrapper = UnaryOperator.identity();

    @Override
    public Integer call() throws Exception {
        validate();
        DemoReport report = new DemoReport(spec.commandLine().getOut());
        WorkDirectory work;
        try {
            work = resume ? WorkDirectory.resume(dir) : WorkDirectory.open(dir, keep || crashes > 0);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--dir: " + e.getMessage());
        }
        try (work) {
            if (resume) {
                return run(work.path(), report, transactions);
            }
            report.line("denormq demo: %d transactions from %d threads, %d customers, %d%% rolled back, %s",
                    transactions, threads, customers, rollbackPercent, durability);
            report.line("work dir:     %s%s", work.path(), work.kept() ? "" : " (deleted at the end; --keep keeps it)");
            if (jdbcUrl != null) {
                report.line("database:     %s", jdbcUrl);
            }
            if (crashes == 0) {
                return run(work.path(), report, transactions);
            }
            List<String> childArgs = new java.util.ArrayList<>(List.of("--transactions=" + transactions,
                    "--threads=" + threads, "--customers=" + customers, "--rollback-percent=" + rollbackPercent,
                    "--durability=" + durability));
            if (jdbcUrl != null) {
                childArgs.add("--jdbc-url=" + jdbcUrl);
                if (jdbcUser != null) {
                    childArgs.add("--jdbc-user=" + jdbcUser);
                }
                if (jdbcPassword != null) {
                    childArgs.add("--jdbc-password=" + jdbcPassword);
                }
            }
            new CrashCycles(work.path(), childArgs, report).run(crashes);
            report.line("after %d kill(s): starting once more to replay what the killed runs left, then checking", crashes);
            noProgress = true;
            return run(work.path(), report, 0);
        }
    }

    private void validate() {
        if (transactions < 1 || threads < 1 || customers < 1) {
            throw new ParameterException(spec.commandLine(), "--transactions, --threads and --customers must be at least 1");
        }
        if (crashes < 0) {
            throw new ParameterException(spec.commandLine(), "--crash must be 0 or more");
        }
        if (rollbackPercent < 0 || rollbackPercent > 100) {
            throw new ParameterException(spec.commandLine(), "--rollback-percent must be between 0 and 100");
        }
    }

    private int run(Path workDir, DemoReport report, int transactions) throws Exception {
        DemoDatabase database = jdbcUrl == null ? new DemoDatabase(workDir.resolve("db"))
                : new DemoDatabase(jdbcUrl, jdbcUser, jdbcPassword);
        database.createSchema();
        OrderWorkload.Result result;
        long drainNanos;
        boolean drained;
        int deadLetters;
        String readModel;
        try (JdbcTransactionalHandler handler = CustomerTotalsHandler.adapter(database);
             DenormQueue queue = DenormQueue.builder(workDir.resolve("journal"))
                     .durability(durability)
                     .handler(CustomerTotalsHandler.NAME, handlerWrapper.apply(handler))
                     .build()) {
            try (TransactionProgress progress = TransactionProgress.start(!noProgress, transactions)) {
                OrderWorkload workload = new OrderWorkload(database, queue, customers, rollbackPercent,
                        database.nextOrderId());
                if (resume) {
                    report.line(CrashCycles.RUNNING);
                }
                result = workload.run(transactions, threads, progress::step);
            }
            long drainStart = System.nanoTime();
            drained = queue.awaitProcessed(HANDLER_WAIT);
            drainNanos = System.nanoTime() - drainStart;
            deadLetters = queue.deadLetters().size();
            readModel = String.format(java.util.Locale.ROOT, "read model:   %d message(s) applied in %d transaction(s) "
                    + "(batches of up to %d), %d re-deliveries skipped by the applied position", handler.applied(),
                    handler.transactions(), CustomerTotalsHandler.BATCH_SIZE, handler.deduplicated());
        } // the queue closes before the handler's connection
        if (transactions > 0) {
            report.workload(result, drainNanos);
        } else {
            report.line("replay:       the handler had applied everything the killed runs left %.2f s after the start",
                    drainNanos / 1e9);
        }
        report.line("%s", readModel);
        if (!drained) {
            report.handlerLate();
        }
        if (deadLetters > 0) {
            report.deadLetters(deadLetters);
        }
        ReadModelCheck.Result check = new ReadModelCheck(database).run();
        report.check(check);
        return drained && check.ok() ? 0 : 1;
    }
}
