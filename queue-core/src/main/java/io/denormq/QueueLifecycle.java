package io.denormq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.denormq.internal.dispatch.CountingErrorHandler;
import io.denormq.internal.dispatch.Dispatcher;
import io.denormq.internal.dispatch.HandlerRunner;
import io.denormq.internal.dispatch.QueueThreads;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalDirectory;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalLock;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.JournalRecovery;
import io.denormq.internal.journal.ReleaseWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a queue holds from start to close: the locked journal directory, the journal and checkpoint
 * (recovered at start), the dispatch threads and the background tasks (periodic flusher,
 * retention). {@link #start} opens them in order and recovers what a previous run left, so that a
 * refused start leaves nothing open and no checkpoint behind; {@link #close} stops the threads and
 * releases the files in the reverse order, after the transactions still committing.
 */
final class QueueLifecycle {
    /** The queue's logger, whose name operators' log settings and the README's examples use. */
    private static final Logger LOG = LoggerFactory.getLogger(DefaultDenormQueue.class);

    private final Path directory;
    private final Duration shutdownTimeout;
    private final JournalLock lock;
    private final Journal journal;
    private final CheckpointFile checkpoint;
    private final Dispatcher dispatcher;
    private final PeriodicFlusher flusher;
    private final RetentionTask retention;
    /** Null under AFTER_COMMIT durability, which journals no outcome records. */
    private final ReleaseWriter releaseWriter;
    private final CountingErrorHandler errorHandler;
    /**
     * Serialises close(), which waits for committing transactions and handlers. A {@link ReentrantLock},
     * not {@code synchronized}: a virtual thread closing the queue would otherwise stay pinned to its
     * carrier for that wait on JDK 21 to 23.
     */
    private final ReentrantLock closeLock = new ReentrantLock();
    private final AtomicBoolean journalClosed = new AtomicBoolean();

    /** The journal's state at open, as recovery left it: where dispatch starts. */
    private record Recovered(long lastIndexAtOpen, long newHandlerCursor, JournalRecovery.Result recovery) {
    }

    private QueueLifecycle(QueueSettings settings, Path directory, JournalLock lock, Journal journal,
                           CheckpointFile checkpoint) {
        this.directory = directory;
        this.shutdownTimeout = settings.shutdownTimeout();
        this.lock = lock;
        this.journal = journal;
        this.checkpoint = checkpoint;
        this.errorHandler = new CountingErrorHandler(directory.toString());

        Recovered recovered = recover(settings);
        List<HandlerRunner> runners = HandlerSetup.runners(settings, checkpoint, journal, recovered.newHandlerCursor());
        long lastIndexAtOpen = recovered.lastIndexAtOpen();
        long noHandlerStart = lastIndexAtOpen < 0 ? CheckpointDescriptor.NOTHING : lastIndexAtOpen;
        this.dispatcher = new Dispatcher(journal, checkpoint, settings.ringSize(), runners, noHandlerStart,
                lastIndexAtOpen, settings.rebuilds().keySet(), errorHandler, settings.idleMode() == IdleMode.BUSY_SPIN,
                settings.threadFactory());
        // every check that can refuse this start has passed, and every handler's slot holds where it starts:
        // only now may a checkpoint this start created take its name (until then a failed start leaves it absent)
        checkpoint.install();
        FlushPolicy flushPolicy = settings.flushPolicy();
        PeriodicFlusher startedFlusher = null;
        ReleaseWriter startedWriter = null;
        try {
            this.dispatcher.start();
            startedWriter = settings.durability() == Durability.WRITE_AHEAD ? new ReleaseWriter(journal,
                    task -> QueueThreads.create(settings.threadFactory(), task, "denormq-releases")) : null;
            startedFlusher = flushPolicy.kind() == FlushPolicy.Kind.PERIODIC
                    ? new PeriodicFlusher(journal, flushPolicy.interval(), errorHandler, settings.threadFactory()) : null;
            if (flushPolicy.kind() != FlushPolicy.Kind.NONE) {
                journal.zeroFillAhead(task -> QueueThreads.create(settings.threadFactory(), task, "denormq-space"));
            }
            this.retention = new RetentionTask(journal, checkpoint, settings.retention(), errorHandler,
                    settings.threadFactory());
        } catch (RuntimeException | Error e) {
            // start() closes the journal next: nothing may keep reading or flushing it
            if (startedFlusher != null) {
                startedFlusher.close();
            }
            if (startedWriter != null) {
                startedWriter.close();
            }
            dispatcher.close(Duration.ZERO);
            throw e;
        }
        this.flusher = startedFlusher;
        this.releaseWriter = startedWriter;
        LOG.info("denormq queue started on {}: durability {}, flush {}, idle {}, {} handler(s) {}; recovery scanned {} record(s) "
                        + "and released {} batch(es) without outcome",
                directory, settings.durability(), flushPolicy, settings.idleMode(), runners.size(), cursorsOf(runners),
                recovered.recovery().scanned(), recovered.recovery().released().length);
    }

    /**
     * Locks the journal directory, opens its files, recovers and starts dispatch; on failure closes
     * whatever it opened.
     *
     * @param settings the checked settings
     * @return the started queue's resources
     */
    static QueueLifecycle start(QueueSettings settings) {
        Path directory = JournalDirectory.prepare(settings.journalDir());
        JournalLock lock = JournalLock.acquire(directory);
        Journal journal = null;
        CheckpointFile checkpoint = null;
        try {
            JournalFormat.checkOrCreate(directory, true);
            checkpoint = CheckpointFile.openOrCreate(directory);
            journal = Journal.open(directory, false, settings.clock(), settings.reservedSpaceBytes(),
                    settings.lowSpaceWarningBytes());
            return new QueueLifecycle(settings, directory, lock, journal, checkpoint);
        } catch (RuntimeException | Error e) {
            closeQuietly(journal, e);
            closeQuietly(checkpoint, e);
            closeQuietly(lock, e);
            throw e;
        }
    }

    /**
     * Brings the checkpoint in line with the journal as it is on the disk, releases the batches a
     * previous run left without an outcome, and drops the cursors the settings retire.
     */
    private Recovered recover(QueueSettings settings) {
        long lastIndexAtOpen = journal.lastIndex();
        CursorsBeyondTheJournal.pullBack(checkpoint, lastIndexAtOpen, directory);
        if (settings.flushPolicy().kind() != FlushPolicy.Kind.NONE) {
            journal.readOnlyDurable();
        }
        JournalRecovery.Result recovery = JournalRecovery.releaseOrphans(journal, checkpoint);
        boolean cursorsLost = checkpoint.wasCreated() && lastIndexAtOpen >= 0;
        if (cursorsLost) {
            LOG.warn("Journal {} holds records but its checkpoint file {} was missing: the handlers' cursors are "
                    + "lost, so every handler is replayed every message still in the journal (re-deliveries, no loss)",
                    directory, checkpoint.file());
        }
        long newHandlerCursor = lastIndexAtOpen < 0 || cursorsLost ? CheckpointDescriptor.NOTHING
                : JournalRecordDescriptor.compose(lastIndexAtOpen, JournalRecordDescriptor.MAX_MESSAGES_PER_BATCH - 1);
        StaleCursors.dropAndWarn(checkpoint, settings.handlers().keySet(), settings.droppedCursors(), directory);
        return new Recovered(lastIndexAtOpen, newHandlerCursor, recovery);
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable cause) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static Map<String, String> cursorsOf(List<HandlerRunner> runners) {
        Map<String, String> cursors = new LinkedHashMap<>();
        for (HandlerRunner runner : runners) {
            long cursor = runner.storedCursor();
            cursors.put(runner.displayName(), cursor < 0 ? "none" : Long.toHexString(cursor));
        }
        return cursors;
    }

    Path directory() {
        return directory;
    }

    Journal journal() {
        return journal;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** @return the writer of back-to-back transactions' outcomes, or null under AFTER_COMMIT durability */
    ReleaseWriter releaseWriter() {
        return releaseWriter;
    }

    /** @return how many errors the background threads reported during the queue's life */
    long backgroundErrors() {
        return errorHandler.count();
    }

    /** Applies retention now rather than at the next hourly run: for tests. */
    List<Path> applyRetention() {
        return retention.applyNow();
    }

    /**
     * Closes the queue once: refuses new publishing and commits, waits (up to the shutdown timeout)
     * for the transactions already committing, stops retention, drains the handlers, flushes, and
     * closes the journal, the checkpoint and the lock. If transactions are still committing after the
     * timeout, the journal and its lock stay until the last of them has journaled its outcome.
     *
     * @param publishing the queue's publish path, which counts the committing transactions
     */
    void close(PublishPath publishing) {
        closeLock.lock();
        try {
            if (publishing.isClosed()) {
                return;
            }
            publishing.refuseNewWork();
            LOG.info("Closing denormq queue on {}: waiting for committing transactions, then draining handlers "
                    + "(timeout {} each)", directory, shutdownTimeout);
            boolean transactionsDone = publishing.awaitCommittingTransactions(shutdownTimeout);
            try {
                retention.close();
                dispatcher.close(shutdownTimeout);
                if (flusher != null) {
                    flusher.close();
                }
            } finally {
                Map<String, String> finalCursors = cursorsOf(dispatcher.runners());
                if (transactionsDone) {
                    closeJournal();
                } else {
                    // Another queue on this directory would release their batches while their commits still run:
                    // the journal and its lock stay until the last of them has journaled its outcome.
                    publishing.afterLastCommit(this::closeJournal);
                    LOG.warn("denormq queue on {}: {} transaction(s) are still committing after {}; the journal stays "
                            + "open and locked until they complete, so that their outcome is journaled and no other "
                            + "queue releases their messages early", directory, publishing.committingTransactions(),
                            shutdownTimeout);
                    if (publishing.committingTransactions() == 0) {
                        closeJournal();
                    }
                }
                LOG.info("denormq queue on {} closed; cursors {}; {} background error(s) during its life", directory,
                        finalCursors, errorHandler.count());
            }
        } finally {
            closeLock.unlock();
        }
    }

    /**
     * Closes the journal, the checkpoint and the lock, once, whichever thread gets here first (the
     * release writer's, when it journaled the last committing transaction's outcome).
     */
    private void closeJournal() {
        if (journalClosed.compareAndSet(false, true)) {
            if (releaseWriter != null) {
                releaseWriter.close(); // everything handed over is written: no transaction is committing
            }
            journal.close();
            checkpoint.close();
            lock.close();
        }
    }
}
