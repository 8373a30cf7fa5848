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
 * <p>Best effort: a failure only costs that speed, so it is logged at DEBUG and never reaches an
 * append; an I/O error it meets is also reported to the next flush of the file (the kernel keeps it
 * for every open descriptor), so no committer's flush can miss it. Thread-safe.
 */
final class ZeroFillFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZeroFillFlusher.class);

    /** Not a monitor: committers ask under the journal's append lock, and may be virtual threads. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition asked = lock.newCondition();
    private final Thread thread;
    private Path pending;
    private boolean closed;

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
            } finally {
                lock.unlock();
            }
            force(file);
        }
    }

    private static void force(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false);
        } catch (NoSuchFileException e) {
            // retention deleted it: nothing left to initialise
        } catch (IOException e) {
            LOG.debug("Forcing the zero-filled blocks of {} failed; flushes of records written there also write "
                    + "the file's block map: {}", file, e.toString());
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
