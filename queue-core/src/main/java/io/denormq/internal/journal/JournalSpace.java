package io.denormq.internal.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.denormq.JournalException;
import io.denormq.JournalFullException;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the disk blocks of the cycle file being written allocated ahead of the appender, so that no
 * write through Chronicle's memory mapping ever lands on a block that does not exist.
 *
 * <p>Why: a write through a shared mapping into a hole of a sparse file allocates the block at the
 * moment of the write; when the file system is full the kernel answers with SIGBUS, which the JVM
 * raises as an asynchronous {@link InternalError} in whatever code the thread runs next (a database
 * driver, say), after the bytes were silently dropped. Allocating with {@code fallocate} first turns
 * that into an ordinary error before anything is written: the append that cannot be backed throws
 * {@link JournalFullException} and writes nothing.
 *
 * <p>When the queue flushes ({@link #zeroFillAhead}), the blocks allocated ahead are also written (with
 * what they hold: zeros, as nothing was written there yet) and forced in the background
 * ({@link ZeroFillFlusher}): a flush of a record written into them then has no block map to update.
 * Writing back what is there, rather than zeros, keeps whatever Chronicle wrote past the last record's
 * end (a new index array follows the record that opens an index block); it runs under the journal's
 * append lock, so no append writes there meanwhile. At most {@link #FILL_CHUNK} bytes are written per
 * allocation, from where the last fill ended: the reserve is filled as the appender nears it, not at once.
 *
 * <p>A {@link #reserveBytes() reserve} at the end of the allocated range is kept for records that
 * complete what is already journaled (release and rollback records, dead letters): new batches may
 * not use it, so a transaction journaled before its commit can always record its outcome.
 *
 * <p>Not thread-safe: {@link Journal} calls it under its append lock. The only lock-free method is
 * {@link #hasRoomFor(int)}, a racy but conservative pre-check.
 */
final class JournalSpace {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSpace.class);
    /** How far beyond the need a successful allocation reaches: one allocation per this many bytes appended. */
    static final long ALLOCATION_CHUNK = 8L << 20;
    /**
     * Room for what Chronicle writes between two records: a record header, alignment, and a new
     * index array (4096 entries of 8 bytes) when one fills up.
     */
    static final long CHRONICLE_SLACK = 128L << 10;
    /** What a new cycle file needs before its first record: Chronicle's header and first index arrays. */
    static final long NEW_CYCLE_FILE_BYTES = 1L << 20;
    private static final long UNKNOWN = -1;
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;

    private final Path directory;
    private final long reserveBytes;
    private final long lowSpaceBytes;
    private final FileStore fileStore;
    private int cycle = Integer.MIN_VALUE;
    private Path cycleFile;
    private volatile long writeEnd = UNKNOWN;
    private volatile long allocatedEnd;
    private volatile boolean full;
    private boolean lowSpaceWarned;
    private boolean fallocateUnsupported;
    /** Null unless allocated blocks are zero-filled ahead; dropped after a zero-fill failed. */
    private ZeroFillFlusher zeroFillFlusher;
    /** The end of what was filled in the current cycle file (0: nothing yet). */
    private long filledEnd;
    /** The most one allocation fills: a chunk and what Chronicle writes between two records. */
    static final long FILL_CHUNK = ALLOCATION_CHUNK + CHRONICLE_SLACK;

    JournalSpace(Path directory, long reserveBytes, long lowSpaceBytes) {
        this.directory = directory;
        this.reserveBytes = reserveBytes;
        this.lowSpaceBytes = lowSpaceBytes;
        try {
            this.fileStore = Files.getFileStore(directory);
        } catch (IOException e) {
            throw new JournalException("Cannot find the file system of journal " + directory + ": " + e, e);
        }
    }

    /**
     * From now on, blocks allocated ahead are also zero-filled (beyond the last record) and forced by
     * {@code flusher}: worth it only when records are flushed.
     *
     * @param flusher forces a zero-filled file in the background
     */
    void zeroFillAhead(ZeroFillFlusher flusher) {
        this.zeroFillFlusher = flusher;
    }

    /** @return the bytes kept for completion records that new batches may not use */
    long reserveBytes() {
        return reserveBytes;
    }

    /** @return whether the last attempt to allocate room for a new batch failed */
    boolean isFull() {
        return full;
    }

    /** @return the usable bytes of the journal's file system now (one statvfs call), or -1 if unknown */
    long usableSpace() {
        try {
            return fileStore.getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * A lock-free pre-check for the publish path: whether a batch of {@code length} bytes certainly
     * fits in what is allocated. False only means the caller must ask {@link #beforeAppend}.
     */
    boolean hasRoomFor(int length) {
        long end = writeEnd;
        return end != UNKNOWN && end + length + CHRONICLE_SLACK + reserveBytes <= allocatedEnd;
    }

    /**
     * Makes sure the next record fits in allocated blocks of the cycle file it goes into.
     *
     * @param currentCycle  the cycle the appender will write into
     * @param cycleFilePath that cycle's file
     * @param length        the record's length
     * @param newBatch      whether it is a new batch, which must leave the reserve free
     * @throws JournalFullException if the room cannot be allocated; nothing was written
     */
    void beforeAppend(int currentCycle, Path cycleFilePath, int length, boolean newBatch) {
        long need = length + CHRONICLE_SLACK + (newBatch ? reserveBytes : 0);
        if (currentCycle != cycle || writeEnd == UNKNOWN) {
            // the file may not exist yet, and where its next record goes is unknown until one is appended
            long usable = usableSpace();
            long needed = need + (Files.exists(cycleFilePath) ? 0 : NEW_CYCLE_FILE_BYTES);
            if (usable >= 0 && usable < needed) {
                throw full(length, newBatch, usable);
            }
            return;
        }
        long end = writeEnd;
        if (end + need <= allocatedEnd) {
            return;
        }
        if (allocateAtLeast(end + need)) {
            if (full) {
                full = false;
                LOG.info("Journal {} has room again: new batches are journaled again ({} bytes free)", directory,
                        usableSpace());
            }
            checkLowSpace();
            return;
        }
        throw full(length, newBatch, usableSpace());
    }

    /**
     * Records where the last append ended, and allocates ahead in a cycle file seen for the first
     * time (best effort: the next append checks again).
     *
     * @param appendedCycle the cycle of the record just appended
     * @param file          its cycle file
     * @param end           the file position just past the record
     */
    void afterAppend(int appendedCycle, Path file, long end) {
        if (appendedCycle != cycle) {
            cycle = appendedCycle;
            cycleFile = file;
            allocatedEnd = 0;
            filledEnd = 0;
            writeEnd = end;
            if (allocateAhead(end + CHRONICLE_SLACK + reserveBytes)) {
                checkLowSpace();
            }
        } else if (end > writeEnd) {
            writeEnd = end;
        }
    }

    /**
     * @return false when the file system has no room
     * @throws JournalException on an I/O error other than a full file system
     */
    private boolean allocate(long upTo) {
        if (upTo <= allocatedEnd) {
            return true;
        }
        long from = Math.min(allocatedEnd, writeEnd);
        try {
            if (!fallocateUnsupported && fallocate(cycleFile, from, upTo - from)) {
                zeroFill(upTo);
                allocatedEnd = upTo;
                return true;
            }
            if (fallocateUnsupported) {
                IoFaults.check(IoFaults.Site.ALLOCATE);
                writeKeepingContent(cycleFile, Math.max(allocatedEnd, writeEnd), upTo);
                allocatedEnd = upTo;
                return true;
            }
            return false;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) {
                return false;
            }
            throw new JournalException("Cannot allocate space ahead of the appender in journal file " + cycleFile
                    + ": " + e + ". Check the journal's volume", e);
        }
    }

    /**
     * Writes the blocks allocated ahead (up to {@link #FILL_CHUNK} of them, from where the last fill
     * ended or the last record, whichever is further) and asks for them to be forced. The blocks exist
     * already, so a failure costs only speed: it is logged and zero-filling stops.
     */
    private void zeroFill(long upTo) {
        ZeroFillFlusher flusher = zeroFillFlusher;
        long from = Math.max(filledEnd, writeEnd);
        long to = Math.min(upTo, from + FILL_CHUNK);
        if (flusher == null || from >= to) {
            return;
        }
        try {
            writeKeepingContent(cycleFile, from, to);
            filledEnd = to;
            flusher.forceSoon(cycleFile);
        } catch (IOException | RuntimeException e) {
            zeroFillFlusher = null;
            LOG.warn("Cannot zero-fill the blocks allocated ahead in journal file {} ({}); allocation goes on without "
                    + "it, and each flush of a new page may also write the file's block map", cycleFile, e.toString());
        }
    }

    /** A chunk beyond {@code minimum} if the file system has it, else {@code minimum} itself. */
    private boolean allocateAtLeast(long minimum) {
        return allocate(minimum + ALLOCATION_CHUNK) || allocate(minimum);
    }

    /** Allocation after an append is only ahead of need: a failure is left for the next append to report. */
    private boolean allocateAhead(long minimum) {
        try {
            return allocateAtLeast(minimum);
        } catch (RuntimeException e) {
            LOG.debug("Allocation ahead in {} failed; the next append retries: {}", cycleFile, e.toString());
            return false;
        }
    }

    /** @return false when the file system is out of space */
    private boolean fallocate(Path file, long offset, long length) throws IOException {
        IoFaults.check(IoFaults.Site.ALLOCATE);
        PosixAPI posix = Posix.orNull();
        if (posix == null) {
            fallocateUnsupported = true;
            return false;
        }
        int fd = posix.open(file.toString(), O_RDWR, 0);
        if (fd < 0) {
            throw new JournalException("Cannot open journal file " + file + " to allocate space: "
                    + posix.lastErrorStr());
        }
        try {
            if (posix.fallocate(fd, 0, offset, length) == 0) {
                return true;
            }
            int error = posix.lastError();
            if (error == ENOSPC) {
                return false;
            }
            if (error == EOPNOTSUPP) {
                LOG.info("The file system of journal {} does not support fallocate; allocating ahead by writing "
                        + "zeros instead", directory);
                fallocateUnsupported = true;
                return false;
            }
            throw new JournalException("Cannot allocate " + length + " bytes at " + offset + " in journal file "
                    + file + ": " + posix.strerror(error) + " (errno " + error + ")");
        } finally {
            posix.close(fd);
        }
    }

    /**
     * Allocates every block of a small file that is written through a mapping (Chronicle's
     * metadata file), so that its later writes cannot fault either. Best effort: a failure is logged.
     */
    void allocateWhole(Path file) {
        try {
            long size = Files.size(file);
            if (size > 0 && !fallocate(file, 0, size) && !fallocateUnsupported) {
                LOG.warn("Cannot allocate the blocks of {}: its file system is full", file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot allocate the blocks of {}: {}", file, e.toString());
        }
    }

    /**
     * Writes {@code [from, to)} of a file with what it holds (zeros where nothing was written, and past
     * its end): the fallback allocation, and the fill ahead. Whatever Chronicle wrote there stays as it
     * was, so it is safe wherever the range starts as long as no append runs meanwhile (the caller holds
     * the append lock). A {@link RandomAccessFile}, not a channel: an interrupted appending thread would
     * close a channel and fail the fill.
     */
    private static void writeKeepingContent(Path file, long from, long to) throws IOException {
        byte[] buffer = new byte[64 << 10];
        try (RandomAccessFile access = new RandomAccessFile(file.toFile(), "rw")) {
            for (long position = from; position < to; ) {
                int length = (int) Math.min(buffer.length, to - position);
                access.seek(position);
                int read = 0;
                while (read < length) {
                    int n = access.read(buffer, read, length - read);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                Arrays.fill(buffer, read, length, (byte) 0); // past the file's end
                access.seek(position);
                access.write(buffer, 0, length);
                position += length;
            }
        }
    }

    private JournalFullException full(int length, boolean newBatch, long usable) {
        if (!full && newBatch) {
            full = true;
            LOG.warn("Journal {} is full: new batches are refused (their transactions roll back) until space is "
                    + "freed; {} bytes free, {} bytes reserved for release records and dead letters", directory,
                    usable, reserveBytes);
        }
        return new JournalFullException("Journal " + directory + " is full: cannot journal a "
                + (newBatch ? "batch" : "record") + " of " + length + " bytes; its file system has " + usable
                + " bytes free and " + reserveBytes + " bytes are kept for completing what is already journaled. "
                + (newBatch ? "The transaction is not committed. " : "")
                + "Free space on that file system (is retention held back by a stuck handler? see 'denormq inspect') "
                + "or move the journal to a larger volume; publishing resumes by itself once space is back");
    }

    private void checkLowSpace() {
        long usable = usableSpace();
        if (usable < 0) {
            return;
        }
        if (usable < lowSpaceBytes && !lowSpaceWarned) {
            lowSpaceWarned = true;
            LOG.warn("The file system of journal {} has {} MiB free, under the warning threshold of {} MiB: when it "
                    + "fills up, transactions that publish roll back. Free space or grow the volume", directory,
                    usable >> 20, lowSpaceBytes >> 20);
        } else if (usable >= lowSpaceBytes && lowSpaceWarned) {
            lowSpaceWarned = false;
            LOG.info("The file system of journal {} has {} MiB free again, above the warning threshold", directory,
                    usable >> 20);
        }
    }
}
