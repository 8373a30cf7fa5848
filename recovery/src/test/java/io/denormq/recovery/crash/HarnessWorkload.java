package io.denormq.recovery.crash;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child's transactions, run by several threads on their own connections until the process is
 * killed. A transaction inserts its row into {@code tx}, publishes 1 to {@value #MAX_MESSAGES}
 * messages and commits through {@link ProgrammaticTransaction}; about one in ten rolls back
 * instead. Every transaction's intent is logged before it publishes and its acknowledgement after
 * its commit returned, so that the test knows what each one meant to do and how far it got.
 */
final class HarnessWorkload {
    private static final int THREADS = 4;
    private static final int MAX_MESSAGES = 4;
    private static final int ROLLBACK_PERCENT = 10;
    private static final String TOPIC = "harness";
    private static final int KEYS = 16;
    /**
     * One commit in this many waits {@link #STALL_NANOS} between the journal append and the database
     * commit, like a slow database: it widens the window in which a kill leaves a batch without an
     * outcome, and in which a queue that released too early would be caught by the handler.
     */
    private static final int STALL_ONE_IN = 50;
    private static final long STALL_NANOS = 50_000_000;
    /**
     * Publishers wait while more than this many messages of this run's committed transactions are
     * not yet processed. The handler (a database commit per message) is slower than the publishers;
     * left alone it would fall seconds behind, and a message released before its commit would then
     * reach it long after the commit, unnoticed. Close behind, it is processed within a stall.
     */
    private static final int MAX_BACKLOG = 16;
    private static final long BACKLOG_PARK_NANOS = 100_000;
    /** Transaction ids are {@code run * RUN_ID_SPACE + n}: unique across runs, and they say which run began them. */
    private static final long RUN_ID_SPACE = 1_000_000_000L;

    private final HarnessDatabase database;
    private final DenormQueue queue;
    private final RecordingHandler handler;
    private final OutcomeLog log;
    private final int run;
    private final AtomicLong nextTx;
    private final AtomicLong committedMessages = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    HarnessWorkload(HarnessDatabase database, DenormQueue queue, RecordingHandler handler, OutcomeLog log, int run) {
        this.database = database;
        this.queue = queue;
        this.handler = handler;
        this.log = log;
        this.run = run;
        this.nextTx = new AtomicLong(run * RUN_ID_SPACE);
    }

    /**
     * @param tx a transaction id
     * @return the run that began it
     */
    static int runOf(long tx) {
        return (int) (tx / RUN_ID_SPACE);
    }

    /**
     * Starts the publisher threads; they run until the process dies or one of them fails.
     */
    void start() {
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
            Thread thread = new Thread(() -> runUntilFailure(random), "harness-publisher-" + t);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * @return the first failure of a publisher thread, or null while they all run
     */
    Throwable failure() {
        return failure.get();
    }

    private void runUntilFailure(SplittableRandom random) {
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement("insert into tx(tx_id, run, messages) values (?, ?, ?)")) {
            connection.setAutoCommit(false);
            while (failure.get() == null) {
                while (committedMessages.get() - handler.processedOfItsRun() > MAX_BACKLOG) {
                    LockSupport.parkNanos(BACKLOG_PARK_NANOS);
                }
                runTransaction(connection, insert, random);
            }
        } catch (Exception | Error e) {
            failure.compareAndSet(null, e);
        }
    }

    private void runTransaction(Connection connection, PreparedStatement insert, SplittableRandom random)
            throws Exception {
        long tx = nextTx.incrementAndGet();
        int messages = 1 + random.nextInt(MAX_MESSAGES);
        boolean rollback = random.nextInt(100) < ROLLBACK_PERCENT;
        boolean stall = random.nextInt(STALL_ONE_IN) == 0;
        log.began(tx, messages, rollback);
        try (ProgrammaticTransaction transaction = ProgrammaticTransactions.begin()) {
            insert.setLong(1, tx);
            insert.setInt(2, run);
            insert.setInt(3, messages);
            insert.executeUpdate();
            for (int ordinal = 0; ordinal < messages; ordinal++) {
                queue.publish(TOPIC, "key-" + tx % KEYS, new MessagePayload(tx, ordinal).encode(), Codecs.utf8());
            }
            if (rollback) {
                transaction.rollback(connection);
                return;
            }
            transaction.commit(() -> {
                if (stall) {
                    LockSupport.parkNanos(STALL_NANOS);
                }
                connection.commit();
            });
        }
        committedMessages.addAndGet(messages);
        log.acknowledged(tx);
    }
}
