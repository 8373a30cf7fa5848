package io.denormq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.denormq.internal.dispatch.QueueThreads;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRetention;
import org.agrona.ErrorHandler;

/**
 * The background thread that applies {@link DenormQueueBuilder#retention(Duration)}: shortly after
 * start, then every hour (cycle files are daily, so an hour is prompt enough and costs nothing).
 */
final class RetentionTask implements AutoCloseable {
    private static final long FIRST_RUN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long INTERVAL_NANOS = TimeUnit.HOURS.toNanos(1);

    private final Journal journal;
    private final JournalRetention retention;
    private final ErrorHandler errorHandler;
    private final Thread thread;
    private final Object runLock = new Object();
    private volatile boolean running = true;

    RetentionTask(Journal journal, CheckpointFile checkpoint, Duration retention, ErrorHandler errorHandler,
                  ThreadFactory threadFactory) {
        this.journal = journal;
        this.retention = new JournalRetention(journal, checkpoint, retention);
        this.errorHandler = errorHandler;
        this.thread = QueueThreads.create(threadFactory, this::run, "denormq-retention");
        this.thread.start();
    }

    private void run() {
        long wait = FIRST_RUN_NANOS;
        while (running) {
            LockSupport.parkNanos(wait);
            wait = INTERVAL_NANOS;
            if (running) {
                try {
                    applyNow();
                } catch (RuntimeException e) {
                    errorHandler.onError(e);
                }
            }
        }
    }

    /** @return the files deleted by this run */
    List<Path> applyNow() {
        synchronized (runLock) {
            if (!running || journal.isClosed()) {
                return List.of();
            }
            return retention.apply();
        }
    }

    /** Stops the thread; a run in progress finishes first, so the journal is never closed under it. */
    @Override
    public void close() {
        synchronized (runLock) {
            running = false;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
