package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.DenormQueue;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs the demo's transactions from several publisher threads, each on its own connection. A
 * transaction inserts 1 to 3 orders for a random customer and publishes one message per order; a
 * share of them roll back after publishing. Times every {@code publish} call and every commit step
 * ({@link ProgrammaticTransaction#commit}), and within the commit step the database's own commit.
 */
final class OrderWorkload {
    /**
     * What the workload did.
     *
     * @param committed         committed transactions
     * @param rolledBack        rolled-back transactions
     * @param published         messages published, rolled-back transactions included
     * @param released          messages of committed transactions
     * @param nanos             wall time of the whole workload
     * @param publishNanos      time of each {@code publish} call
     * @param commitNanos       time of each commit step, the database's commit included
     * @param commitAddedNanos  time of each commit step minus the database's commit: what denormq adds
     */
    record Result(long committed, long rolledBack, long published, long released, long nanos,
                  Histogram publishNanos, Histogram commitNanos, Histogram commitAddedNanos) {
    }

    private final DemoDatabase database;
    private final DenormQueue queue;
    private final int customers;
    private final int rollbackPercent;
    private final AtomicLong nextOrderId;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong rolledBack = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Recorder publishNanos = new Recorder(3);
    private final Recorder commitNanos = new Recorder(3);
    private final Recorder commitAddedNanos = new Recorder(3);

    OrderWorkload(DemoDatabase database, DenormQueue queue, int customers, int rollbackPercent, long firstOrderId) {
        this.nextOrderId = new AtomicLong(firstOrderId);
        this.database = database;
        this.queue = queue;
        this.customers = customers;
        this.rollbackPercent = rollbackPercent;
    }

    /**
     * @param transactions  how many transactions to run in all
     * @param threads       publisher threads (and connections)
     * @param onTransaction called after each transaction, from the publisher threads
     * @return what was done
     * @throws SQLException if a transaction failed (the others stop too)
     */
    Result run(int transactions, int threads, Runnable onTransaction) throws SQLException, InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "demo-publisher");
            thread.setDaemon(true);
            return thread;
        });
        List<Future<?>> futures = new ArrayList<>(threads);
        long start = System.nanoTime();
        try {
            for (int t = 0; t < threads; t++) {
                int share = transactions / threads + (t < transactions % threads ? 1 : 0);
                SplittableRandom random = new SplittableRandom(42L + t);
                futures.add(executor.submit(() -> {
                    runShare(share, random, onTransaction);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException("demo publisher failed: " + e.getCause(), e.getCause());
        } finally {
            executor.shutdownNow();
        }
        return new Result(committed.get(), rolledBack.get(), published.get(), released.get(), System.nanoTime() - start,
                publishNanos.getIntervalHistogram(), commitNanos.getIntervalHistogram(),
                commitAddedNanos.getIntervalHistogram());
    }

    private void runShare(int transactions, SplittableRandom random, Runnable onTransaction) throws Exception {
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "insert into orders(id, customer, amount) values (?, ?, ?)")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < transactions && !failed.get(); i++) {
                runTransaction(connection, insert, random);
                onTransaction.run();
            }
        } catch (Exception | Error e) {
            failed.set(true);
            throw e;
        }
    }

    private void runTransaction(Connection connection, PreparedStatement insert, SplittableRandom random)
            throws Exception {
        String customer = "customer-" + random.nextInt(customers);
        int orders = 1 + random.nextInt(3);
        boolean rollback = random.nextInt(100) < rollbackPercent;
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            for (int o = 0; o < orders; o++) {
                OrderPlaced order = new OrderPlaced(nextOrderId.getAndIncrement(), 1 + random.nextInt(10_000));
                insert.setLong(1, order.orderId());
                insert.setString(2, customer);
                insert.setInt(3, order.amount());
                insert.executeUpdate();
                long before = System.nanoTime();
                queue.publish(OrderPlaced.TOPIC, customer, order, OrderPlaced.CODEC);
                publishNanos.recordValue(System.nanoTime() - before);
            }
            published.addAndGet(orders);
            if (rollback) {
                tx.rollback(connection); // the messages are discarded with the orders
                rolledBack.incrementAndGet();
                return;
            }
            commit(tx, connection);
            committed.incrementAndGet();
            released.addAndGet(orders);
        }
    }

    /** Commits through the transaction, timing the whole step and the database's commit within it. */
    private void commit(ProgrammaticTransaction tx, Connection connection) throws Exception {
        long[] databaseCommit = new long[2]; // start, end
        boolean[] databaseReached = {false};
        long before = System.nanoTime();
        try {
            tx.commit(() -> {
                databaseReached[0] = true;
                databaseCommit[0] = System.nanoTime();
                connection.commit();
                databaseCommit[1] = System.nanoTime();
            });
        } catch (Exception | Error e) {
            if (!databaseReached[0]) {
                rollbackQuietly(connection, e); // the journal refused the batch: the orders must not commit
            }
            throw e;
        }
        long step = System.nanoTime() - before;
        commitNanos.recordValue(step);
        commitAddedNanos.recordValue(Math.max(0, step - (databaseCommit[1] - databaseCommit[0])));
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
