package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.denormq.JournalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forces, on a background thread, the cycle file whose blocks {@link JournalSpace} has just
 * zero-filled ahead of the appender, so that those blocks are initialised on the disk before records
 * are written into them.
 *
 * <p>Why: blocks reserved with {@code fallocate} are unwritten extents; the first flush of each page
 * written into one must also write the file's extent metadata (ext4 and XFS convert the extent at that
 * moment), a second synchronous disk write inside a committer's flush, once per page. Zero-filled and
 * forced beforehand, a record's flush writes its data page and nothing else. The same reason makes
 * databases initialise their write-ahead log segments before use.
 *
 * <p>A failed force does not fail an append, but it does fail the next flush of the journal
 * ({@link #checkNoFailure()}): the kernel reports a write-back error once per descriptor, and only to
 * descriptors opened before somebody saw it, so after this thread saw it a committer's flush through a
 * descriptor opened later would succeed although records it covers may not have reached the disk. For
 * the same reason a flush that ends while a force runs waits for it (once per filled chunk at most).
 * Thread-safe.
 */
final class ZeroFillFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZeroFillFlusher.class);

    /** Not a monitor: committers ask under the journal's append lock, and may be virtual threads. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition asked = lock.newCondition();
    private final Condition forced = lock.newCondition();
    private final Thread thread;
    private Path pending;
    private boolean closed;
    /** Whether a force runs now (guarded by lock). */
    private boolean forcing;
    /** The failure of a force that no flush has reported yet (guarded by lock). */
    private JournalException unreported;

    /**
     * @param threads makes the (not yet started) thread that runs the given task
     */
    ZeroFillFlusher(Function<Runnable, Thread> threads) {
        this.thread = threads.apply(this::run);
        thread.start();
    }

    /**
     * Asks for {@code file} to be forced soon; a request not yet served is replaced (one force covers
     * both when it is the same file, and a newer file is the one about to be written).
     *
     * @param file a cycle file just zero-filled ahead of the appender
     */
    void forceSoon(Path file) {
        lock.lock();
        try {
            pending = file;
            asked.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Path file;
            lock.lock();
            try {
                while (pending == null && !closed) {
                    asked.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                file = pending;
                pending = null;
                forcing = true;
            } finally {
                lock.unlock();
            }
            JournalException failure = force(file);
            lock.lock();
            try {
                forcing = false;
                if (failure != null && unreported == null) {
                    unreported = failure;
                }
                forced.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** @return the failure to report to the next flush, or null */
    private static JournalException force(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            IoFaults.check(IoFaults.Site.FLUSH);
            channel.force(false);
            return null;
        } catch (NoSuchFileException e) {
            return null; // retention deleted it: nothing left to initialise, nothing of it to lose
        } catch (IOException e) {
            LOG.warn("Forcing the zero-filled blocks of journal file {} failed: {}; the next flush of the journal "
                    + "fails and forces the whole file again", file, e.toString());
            return CycleFileSync.failed(file, "forcing the blocks zero-filled ahead of the appender failed (" + e
                    + "), and records written before it may not have reached the disk", e);
        }
    }

    /**
     * Called by every flush after its own system calls succeeded: waits for a force that runs now,
     * then throws the failure of any force since the last call (once).
     *
     * @throws JournalException if a force failed since the last call
     */
    void checkNoFailure() {
        lock.lock();
        try {
            while (forcing) {
                forced.awaitUninterruptibly();
            }
            JournalException failure = unreported;
            unreported = null;
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread, after the force it runs (if any) ended. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            asked.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
