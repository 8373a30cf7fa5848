package io.denormq.recovery.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.denormq.DenormQueue;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.HdrHistogram.Recorder;

/**
 * Runs the demo's transactions: each inserts 1 to 3 orders for a random customer and publishes one
 * message per order; a share of them roll back after publishing. Records how long each
 * {@code publish} call took, and how long the commit step took beyond the database's own commit
 * (what denormq adds to it).
 */
final class OrderWorkload {
    /** What the workload did. */
    record Result(long committed, long rolledBack, long messages, long nanos, Recorder publishNanos,
                  Recorder commitOverheadNanos) {
    }

    private final DemoDatabase database;
    private final DenormQueue queue;
    private final int customers;
    private final int rollbackPercent;
    private final AtomicLong nextOrderId = new AtomicLong(1);
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong rolledBack = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final Recorder publishNanos = new Recorder(3);
    private final Recorder commitOverheadNanos = new Recorder(3);

    OrderWorkload(DemoDatabase database, DenormQueue queue, int customers, int rollbackPercent) {
        this.database = database;
        this.queue = queue;
        this.customers = customers;
        this.rollbackPercent = rollbackPercent;
    }

    Result run(int transactions, int threads, Runnable onTransaction) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int share = transactions / threads + (t < transactions % threads ? 1 : 0);
            long seed = 42L + t;
            futures.add(executor.submit(() -> {
                runShare(share, new SplittableRandom(seed), onTransaction);
                return null;
            }));
        }
        try {
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            executor.shutdownNow();
        }
        return new Result(committed.get(), rolledBack.get(), messages.get(), System.nanoTime() - start, publishNanos,
                commitOverheadNanos);
    }

    private void runShare(int transactions, SplittableRandom random, Runnable onTransaction) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement("insert into orders values (?, ?, ?)")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < transactions; i++) {
                runTransaction(connection, insert, random);
                onTransaction.run();
            }
        }
    }

    private void runTransaction(Connection connection, PreparedStatement insert, SplittableRandom random)
            throws SQLException {
        String customer = "customer-" + random.nextInt(customers);
        int orders = 1 + random.nextInt(3);
        boolean rollback = random.nextInt(100) < rollbackPercent;
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            for (int o = 0; o < orders; o++) {
                long orderId = nextOrderId.getAndIncrement();
                int amount = 1 + random.nextInt(10_000);
                insert.setLong(1, orderId);
                insert.setString(2, customer);
                insert.setInt(3, amount);
                insert.executeUpdate();
                long before = System.nanoTime();
                queue.publish(OrderPlaced.TOPIC, customer, new OrderPlaced(orderId, amount), OrderPlaced.CODEC);
                publishNanos.recordValue(System.nanoTime() - before);
            }
            if (rollback) {
                tx.rollback(connection);
                rolledBack.incrementAndGet();
                return;
            }
            long[] databaseCommit = new long[1];
            long before = System.nanoTime();
            tx.commit(() -> {
                long commitStart = System.nanoTime();
                connection.commit();
                databaseCommit[0] = System.nanoTime() - commitStart;
            });
            commitOverheadNanos.recordValue(Math.max(0, System.nanoTime() - before - databaseCommit[0]));
            committed.incrementAndGet();
            messages.addAndGet(orders);
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("demo transaction failed: " + e, e);
        }
    }
}
