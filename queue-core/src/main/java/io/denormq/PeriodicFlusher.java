package io.denormq;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.denormq.internal.dispatch.QueueThreads;
import io.denormq.internal.journal.Journal;
import org.agrona.ErrorHandler;

/**
 * The background thread of {@link FlushPolicy#periodic(Duration)}: forces the journal's files to
 * disk at a fixed interval, and once more when stopped.
 */
final class PeriodicFlusher implements AutoCloseable {
    private final Journal journal;
    private final long intervalNanos;
    private final ErrorHandler errorHandler;
    private final Thread thread;
    private volatile boolean running = true;

    PeriodicFlusher(Journal journal, Duration interval, ErrorHandler errorHandler, ThreadFactory threadFactory) {
        this.journal = journal;
        this.intervalNanos = interval.toNanos();
        this.errorHandler = errorHandler;
        this.thread = QueueThreads.create(threadFactory, this::run, "denormq-flusher");
        this.thread.start();
    }

    private void run() {
        while (running) {
            LockSupport.parkNanos(intervalNanos);
            flush();
        }
    }

    private void flush() {
        try {
            journal.forceAll();
        } catch (RuntimeException e) {
            errorHandler.onError(e);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
