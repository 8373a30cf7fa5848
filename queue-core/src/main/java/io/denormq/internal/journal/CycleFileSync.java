package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

import io.denormq.JournalException;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.PosixAPI;
import org.agrona.UnsafeApi;

/**
 * Makes written parts of the journal's cycle files durable: the whole file (fdatasync), or only a
 * range of it (msync of that range through a mapping of its own, the cost of one record's page rather
 * than of every page Chronicle touched). The range is enough once the file's header and first index
 * were made durable by a whole-file flush: after a power cut Chronicle finds records beyond a stale
 * header write position by scanning forward from it, and looks records up through older index entries
 * when newer ones were lost ({@code PowerCutTest} proves both).
 *
 * <p>One descriptor and one mapping are kept, for the file flushed last (opening and mapping cost as
 * much as a small flush); another file's replace them, and retention closes them before deleting the
 * file, so they never keep a deleted file's space. Thread-safe.
 */
final class CycleFileSync implements AutoCloseable {
    /** Read-write: Linux ignores msync on a shared mapping of a file opened read-only (it is not VM_SHARED). */
    private static final int O_RDWR = 2;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MS_SYNC = 4;
    private static final long MAP_FAILED = -1L;
    /**
     * The mapping through which ranges are flushed covers two windows of this size from the range's
     * window; it is kept until a range falls outside it, so that a flush makes one system call.
     */
    private static final long WINDOW = Journal.BLOCK_SIZE;

    private final ReentrantLock lock = new ReentrantLock();
    /** Null where Chronicle's native calls are missing (not Linux): every flush forces the whole file. */
    private final PosixAPI posix = Posix.orNull();
    private final long pageSize = OS.pageSize();
    private Path openPath;
    private FileChannel channel;
    private int fd = -1;
    private Mapping mapping;

    /** A mapping of part of a cycle file; unmapped once replaced and no flush uses it any more. */
    private static final class Mapping {
        final long address;
        final long start;
        final long length;
        int users;
        boolean replaced;

        Mapping(long address, long start, long length) {
            this.address = address;
            this.start = start;
            this.length = length;
        }

        boolean covers(long from, long to) {
            return from >= start && to <= start + length;
        }
    }

    /**
     * fdatasync of one file: its data pages and whatever metadata finding them needs.
     *
     * @param file a journal file; nothing happens if retention deleted it since
     * @throws JournalException if the flush failed
     */
    void forceWhole(Path file) {
        lock.lock();
        try {
            if (!open(file)) {
                return;
            }
            IoFaults.check(IoFaults.Site.FLUSH);
            channel.force(false);
        } catch (IOException e) {
            closeOpen();
            throw failed(file, e.toString(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code [from, to)} of a file durable, and nothing else of it.
     *
     * @param file a cycle file whose header was made durable by {@link #forceWhole}
     * @param from the first byte
     * @param to   the end of the range
     * @throws JournalException if the flush failed
     */
    void forceRange(Path file, long from, long to) {
        if (posix == null) {
            forceWhole(file);
            return;
        }
        long start = from - from % pageSize; // mappings start on a page
        if (to <= start) {
            return;
        }
        Mapping used;
        lock.lock();
        try {
            if (!open(file)) {
                return;
            }
            IoFaults.check(IoFaults.Site.FLUSH);
            used = mapping(start, to);
            used.users++;
        } catch (IOException e) {
            closeOpen();
            throw failed(file, e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        // outside the lock: a flush started while this one waits for the disk runs at the same time
        int result = posix.msync(used.address + (start - used.start), to - start, MS_SYNC);
        String error = result == 0 ? null : posix.lastErrorStr();
        lock.lock();
        try {
            used.users--;
            unmapIfUnused(used);
            if (error != null) {
                closeOpen();
                throw failed(file, "msync of bytes " + start + " to " + to + " failed: " + error, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code [from, to)} of a file again, a word of every page in place, so that the pages
     * are due to be written back once more. Needed after a failed flush: Linux reports a failed
     * write-back once and then holds the pages as written (still in memory, no longer dirty), so a
     * later flush would succeed without them and leave them off the disk for good (a hole that, after
     * a power cut, hides every record behind it). The caller must keep the range from changing meanwhile.
     *
     * @param file a cycle file; nothing happens if retention deleted it since
     * @param from the first byte that may have failed to reach the disk
     * @param to   the end of what was appended
     * @throws JournalException if the file cannot be mapped for writing
     */
    void rewrite(Path file, long from, long to) {
        if (posix == null) {
            return; // no native calls (not Linux): nothing known of what the kernel keeps; forceWhole is all there is
        }
        long start = Math.max(0, from - from % pageSize);
        if (to <= start) {
            return;
        }
        lock.lock();
        try {
            if (!open(file)) {
                return;
            }
            openDescriptor();
            long length = to - start;
            long address = posix.mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
            if (address == MAP_FAILED) {
                throw new IOException("mmap of bytes " + start + " to " + to + " for writing failed: " + posix.lastErrorStr());
            }
            try {
                for (long page = 0; page < length; page += pageSize) {
                    UnsafeApi.getAndAddInt(null, address + page, 0); // atomic: the page's content stays as it is
                }
            } finally {
                posix.munmap(address, length);
            }
        } catch (IOException e) {
            closeOpen();
            throw new JournalException("Cannot write journal file " + file + " again after a failed flush: " + e.getMessage()
                    + ". What failed to reach the disk may not be written by later flushes; check the journal's volume "
                    + "and restart the application", e);
        } finally {
            lock.unlock();
        }
    }

    /** @return a mapping of the open file from {@code start} to {@code to} at least */
    private Mapping mapping(long start, long to) throws IOException {
        if (mapping == null || !mapping.covers(start, to)) {
            releaseMapping();
            openDescriptor();
            long windowStart = start - start % WINDOW;
            long length = Math.max(2 * WINDOW, to - windowStart);
            long address = posix.mmap(0, length, PROT_READ, MAP_SHARED, fd, windowStart);
            if (address == MAP_FAILED) {
                throw new IOException("mmap of bytes " + windowStart + " to " + (windowStart + length) + " failed: "
                        + posix.lastErrorStr());
            }
            mapping = new Mapping(address, windowStart, length);
        }
        return mapping;
    }

    /** Opens the descriptor mappings need; only range flushes and rewrites map (never the manifest or metadata). */
    private void openDescriptor() throws IOException {
        if (fd < 0) {
            fd = posix.open(openPath.toString(), O_RDWR, 0);
            if (fd < 0) {
                throw new IOException("cannot open it for mapping: " + posix.lastErrorStr());
            }
        }
    }

    private void releaseMapping() {
        if (mapping != null) {
            mapping.replaced = true;
            unmapIfUnused(mapping);
            mapping = null;
        }
    }

    private void unmapIfUnused(Mapping candidate) {
        if (candidate.replaced && candidate.users == 0) {
            posix.munmap(candidate.address, candidate.length);
        }
    }

    /** @return false if the file no longer exists (retention deleted it: nothing left to flush) */
    private boolean open(Path file) throws IOException {
        if (file.equals(openPath)) {
            return true;
        }
        closeOpen();
        if (!Files.exists(file)) {
            return false;
        }
        channel = FileChannel.open(file, StandardOpenOption.READ);
        openPath = file;
        return true;
    }

    /**
     * Closes the descriptors of a file about to be deleted.
     *
     * @param file a journal file
     */
    void release(Path file) {
        lock.lock();
        try {
            if (file.equals(openPath)) {
                closeOpen();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeOpen();
        } finally {
            lock.unlock();
        }
    }

    private void closeOpen() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only channel: nothing to lose by not closing it cleanly
            }
            channel = null;
        }
        releaseMapping(); // a flush still using it unmaps it when done; the mapping outlives the descriptor
        if (fd >= 0) {
            posix.close(fd);
            fd = -1;
        }
        openPath = null;
    }

    /**
     * @return the error of a failed flush of {@code file}: what went wrong, what happens to the
     *         transactions waiting for it, what to check
     */
    static JournalException failed(Path file, String cause, Exception e) {
        return new JournalException("Cannot flush journal file " + file + " to disk: " + cause
                + ". The transactions waiting for this flush are rolled back (WRITE_AHEAD) or fail; check the "
                + "journal's volume", e);
    }
}
