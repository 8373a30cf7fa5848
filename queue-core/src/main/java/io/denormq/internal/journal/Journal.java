package io.denormq.internal.journal;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import java.util.stream.Stream;

import io.denormq.JournalException;
import io.denormq.JournalFullException;
import io.denormq.QueueClosedException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The memory-mapped journal: a Chronicle Queue of {@link JournalRecordDescriptor} records.
 *
 * <p>Appends are thread-safe: they take turns on one appender, and an append survives a crash of
 * the process as soon as it returns. Before each append the journal makes sure the record's disk
 * blocks exist ({@link JournalSpace}). {@link #forceAll()} forces what was appended to the disk
 * ({@link CycleFileSync}). Chronicle's own {@code appender.sync()} is not used: it flushes nothing
 * without {@code SyncMode.SYNC}, and with it only logs a failed msync, where a commit waiting on the
 * flush must fail.
 * An exception thrown while an excerpt is being written rolls that excerpt back, so a failed
 * append never leaves a partial record behind.
 */
public final class Journal implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Journal.class);

    static {
        // The library must never phone home; Chronicle reads this before its first use.
        System.setProperty("chronicle.analytics.disable", "true");
        // The journal watches its own file system and refuses batches before it is full (JournalSpace);
        // Chronicle's monitor would only log an ERROR every second on a small volume. A user's choice stands.
        if (System.getProperty("chronicle.disk.monitor.disable") == null) {
            System.setProperty("chronicle.disk.monitor.disable", "true");
        }
    }

    /**
     * Roll cycle of the journal's files: one file per day keeps retention simple, and its index
     * layout (cycle in the upper bits, 32 bits of sequence) leaves room for the 16-bit message
     * ordinal in ids and sequences.
     */
    public static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;
    /** Chronicle block size: bounds the largest record, so it is 8 times the largest batch. */
    public static final long BLOCK_SIZE = 64L << 20;
    /** Chronicle's header before each record's bytes (length and state). */
    private static final int RECORD_HEADER_BYTES = 4;
    /** The largest record (one transaction's batch) the journal accepts, in bytes. */
    public static final int MAX_RECORD_BYTES = (int) (BLOCK_SIZE / 8);

    /**
     * Default space reserve: 4 MiB, tens of thousands of release and rollback records and dead
     * letters, so that transactions journaled before a full disk can still record their outcome.
     */
    public static final long DEFAULT_RESERVE_BYTES = 4L << 20;
    /** Default free-space warning threshold: 256 MiB, minutes of a busy journal's growth. */
    public static final long DEFAULT_LOW_SPACE_BYTES = 256L << 20;

    private static final String CYCLE_FILE_SUFFIX = "F.cq4";
    /** Chronicle's own mapped file: its write lock and directory listing are written on every roll. */
    private static final String CHRONICLE_METADATA_FILE = "metadata.cq4t";
    /** The date part of {@link #ROLL_CYCLE}'s file names, "yyyyMMdd'F'". */
    private static final DateTimeFormatter CYCLE_NAME = DateTimeFormatter.BASIC_ISO_DATE;

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final boolean readOnly;
    private final Set<File> filesInUse = ConcurrentHashMap.newKeySet();
    private final StampedLock closeLock = new StampedLock();
    private final AtomicLong flushes = new AtomicLong();
    private volatile boolean closed;
    private final CycleManifest manifest;
    /**
     * Serialises appends with their space checks; Chronicle would serialise them anyway. A
     * {@link ReentrantLock}, not {@code synchronized}: a virtual thread waiting for it does not pin
     * its carrier thread.
     */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Passed for a record its caller did not stamp with {@link #currentTimeMillis()}: the append reads the clock. */
    private static final long NOT_STAMPED = Long.MIN_VALUE;
    /** Created on the first append; guarded by appendLock. */
    private ExcerptAppender appender;
    private final JournalSpace space;
    /** Set once by {@link #zeroFillAhead} (under appendLock); read by every flush; closed with the journal. */
    private volatile ZeroFillFlusher zeroFillFlusher;
    /** Cycle files appended into since the last flush started (guarded by appendLock). */
    private final List<WrittenFile> writtenSinceFlush = new ArrayList<>();
    /** The cycle file appended into last (guarded by appendLock). */
    private WrittenFile lastWritten;
    private boolean newCycleFileSinceFlush;
    /**
     * How many flushes group commit starts at once (see {@link FlushPipeline}). One: measured
     * against two on these machines' disks (GroupCommit harness, alternating runs), a second flush
     * slowed the first about as much as it overlapped it, and covered fewer commits each.
     */
    static final int MAX_FLUSHES_IN_FLIGHT = 1;
    private final FlushPipeline pipeline = new FlushPipeline();
    private final CycleFileSync sync = new CycleFileSync();
    /** The index of the last record appended by this journal (guarded by appendLock), -1 before any. */
    private volatile long lastAppendedIndex = -1;
    /**
     * Records at or below this index are on the disk; readers do not read past it (see
     * {@link #readOnlyDurable()}). No bound unless the queue's flush policy promises to survive a
     * machine crash.
     */
    private final AtomicLong durableIndex = new AtomicLong(Long.MAX_VALUE);
    /** Readers parked until the journal moves on (copy on write: committers only read it). */
    private volatile Doorbell[] doorbells = new Doorbell[0];
    /** The clock Chronicle reads: one reading per append serves both the space check and Chronicle. */
    private final AppendClock appendClock;
    private int cachedPathCycle = Integer.MIN_VALUE;
    private Path cachedPath;

    private Journal(Path directory, boolean readOnly, TimeProvider clock, long reserveBytes, long lowSpaceBytes) {
        this.directory = directory;
        this.appendClock = new AppendClock(clock);
        this.readOnly = readOnly;
        // checked before Chronicle opens the queue: it would skip the missing file without a word
        List<Integer> unfinished = List.of();
        if (!readOnly) {
            unfinished = UnfinishedCycleFiles.moveAside(directory, cycleFiles());
        }
        this.manifest = readOnly ? null : CycleManifest.openAndCheck(directory, cycleFiles(), unfinished);
        try {
            this.queue = SingleChronicleQueueBuilder.binary(directory)
                    .timeProvider(appendClock)
                    .rollCycle(ROLL_CYCLE)
                    .blockSize(BLOCK_SIZE)
                    .readOnly(readOnly)
                    .storeFileListener(new FileTracker())
                    .build();
        } catch (RuntimeException e) {
            throw new JournalException("Cannot open journal " + directory + ": " + e
                    + ". Check that the directory is a denormq journal on a local file system", e);
        }
        if (!readOnly) {
            JournalDirectory.restrictAllToOwner(directory);
        }
        this.space = new JournalSpace(directory, reserveBytes, lowSpaceBytes);
        if (!readOnly) {
            space.allocateWhole(directory.resolve(CHRONICLE_METADATA_FILE));
            // The directory listing Chronicle keeps in metadata.cq4t can be older than the files after a power cut
            // (it names the last day it saw): read the directory, so that lastIndex() and durableIndex start right.
            queue.refreshDirectoryListing();
            // A crash (or power cut) between a day's first record and the end-of-file marker of the day before
            // leaves that marker missing, and readers would wait at the old day's end until the next append.
            appendLock.lock();
            try {
                appender().normaliseEOFs();
            } catch (RuntimeException e) {
                throw new JournalException("Cannot open journal " + directory + ": writing the end-of-file marker of "
                        + "an earlier day failed: " + e + ". Check free disk space and that the directory is writable", e);
            } finally {
                appendLock.unlock();
            }
        }
    }

    /**
     * Opens the Chronicle Queue in a directory that the caller has prepared, locked and checked.
     *
     * @param directory the journal directory
     * @param readOnly  whether to open it for reading only
     * @return the open journal
     */
    public static Journal open(Path directory, boolean readOnly) {
        return open(directory, readOnly, SystemTimeProvider.CLOCK);
    }

    /**
     * Like {@link #open(Path, boolean)} with the clock that decides the daily cycle files: tests
     * move it to create cycles of past days.
     *
     * @param directory the journal directory
     * @param readOnly  whether to open it for reading only
     * @param clock     the journal's clock
     * @return the open journal
     */
    public static Journal open(Path directory, boolean readOnly, TimeProvider clock) {
        return new Journal(directory, readOnly, clock, DEFAULT_RESERVE_BYTES, DEFAULT_LOW_SPACE_BYTES);
    }

    /**
     * Like {@link #open(Path, boolean, TimeProvider)} with the space settings of a queue.
     *
     * @param directory     the journal directory
     * @param readOnly      whether to open it for reading only
     * @param clock         the journal's clock
     * @param reserveBytes  space kept for records that complete what is journaled, which new batches cannot use
     * @param lowSpaceBytes free space under which a warning is logged
     * @return the open journal
     */
    public static Journal open(Path directory, boolean readOnly, TimeProvider clock, long reserveBytes,
                               long lowSpaceBytes) {
        return new Journal(directory, readOnly, clock, reserveBytes, lowSpaceBytes);
    }

    /** @return the journal directory */
    public Path directory() {
        return directory;
    }

    /**
     * Appends a record that completes or settles something already journaled (a release or
     * rollback record, a dead letter, its settlement). It may use the space reserve that new batches
     * cannot (see {@link #appendBatch}), so it fails only when even the reserve is exhausted.
     *
     * @param record an array holding the record from offset 0
     * @param length the record's length
     * @return the record's journal index
     * @throws QueueClosedException if the journal was closed
     * @throws JournalException     if the append failed; nothing was written
     */
    public long append(byte[] record, int length) {
        return append(record, length, false, NOT_STAMPED);
    }

    /**
     * {@link #append(byte[], int)} for a record stamped with {@link #currentTimeMillis()} just before: the
     * append takes its day from that time instead of reading the clock again.
     *
     * @param record      an array holding the record from offset 0
     * @param length      the record's length
     * @param stampedTime the time the record was stamped with, from {@link #currentTimeMillis()}
     * @return the record's journal index
     * @throws QueueClosedException if the journal was closed
     * @throws JournalException     if the append failed; nothing was written
     */
    public long append(byte[] record, int length, long stampedTime) {
        return append(record, length, false, stampedTime);
    }

    /**
     * Appends a new batch. It must leave the space reserve free for the records that complete
     * batches already journaled.
     *
     * @param record an array holding the record from offset 0
     * @param length the record's length
     * @return the record's journal index
     * @throws QueueClosedException  if the journal was closed
     * @throws io.denormq.JournalFullException if the file system has no room for it outside the reserve;
     *                               nothing was written
     * @throws JournalException      if the append failed; nothing was written
     */
    public long appendBatch(byte[] record, int length) {
        return append(record, length, true, NOT_STAMPED);
    }

    /**
     * {@link #appendBatch(byte[], int)} for a batch stamped with {@link #currentTimeMillis()} just before:
     * the append takes its day from that time instead of reading the clock again.
     *
     * @param record      an array holding the record from offset 0
     * @param length      the record's length
     * @param stampedTime the time the batch was stamped with, from {@link #currentTimeMillis()}
     * @return the record's journal index
     * @throws QueueClosedException  if the journal was closed
     * @throws io.denormq.JournalFullException if the file system has no room for it outside the reserve;
     *                               nothing was written
     * @throws JournalException      if the append failed; nothing was written
     */
    public long appendBatch(byte[] record, int length, long stampedTime) {
        return append(record, length, true, stampedTime);
    }

    /**
     * Makes sure a batch of {@code length} bytes would fit now, outside the reserve, without
     * appending it: how a transaction that journals only after its commit learns before the commit
     * that it could not. Cheap when the room is already allocated (no system call).
     *
     * @param length the batch's length so far
     * @throws io.denormq.JournalFullException if it would not fit
     */
    public void ensureRoomForBatch(int length) {
        if (space.hasRoomFor(length)) {
            return;
        }
        appendLock.lock();
        try {
            int cycle = queue.cycle();
            space.beforeAppend(cycle, cycleFilePath(cycle), length, true);
        } finally {
            appendLock.unlock();
        }
    }

    /** The path of a cycle's file, kept for the day being written so that an append allocates nothing. */
    private Path cycleFilePath(int cycle) {
        if (cycle != cachedPathCycle) {
            cachedPath = directory.resolve(cycleFileName(cycle));
            cachedPathCycle = cycle;
        }
        return cachedPath;
    }

    private long append(byte[] record, int length, boolean newBatch, long stampedTime) {
        // No close lock here: close() sets closed before it takes the append lock to close the appender,
        // so an append either sees closed under the append lock or finishes before the appender closes
        try {
            long index;
            int cycle;
            appendLock.lock();
            try {
                if (closed) {
                    throw new QueueClosedException("Journal " + directory + " is closed: cannot append a "
                            + JournalRecordDescriptor.kindName(record[0]) + " record");
                }
                pinAppendClock(stampedTime); // Chronicle's writingDocument() below asks for the cycle again: the same one
                cycle = queue.cycle();
                Path file = cycleFilePath(cycle);
                space.beforeAppend(cycle, file, length, newBatch);
                // listed before the first record goes in: a failure here leaves nothing written
                manifest.appendedInto(cycle);
                IoFaults.check(IoFaults.Site.APPEND);
                ExcerptAppender appender = appender();
                long end;
                try (DocumentContext context = appender.writingDocument()) {
                    try {
                        Bytes<?> bytes = context.wire().bytes();
                        bytes.write(record, 0, length);
                        end = bytes.writePosition();
                    } catch (RuntimeException | Error e) {
                        context.rollbackOnClose();
                        throw e;
                    }
                }
                index = appender.lastIndexAppended();
                lastAppendedIndex = index;
                int appended = ROLL_CYCLE.toCycle(index);
                space.afterAppend(appended, cycleFilePath(appended), end);
                if (lastWritten == null || lastWritten.cycle != appended) {
                    // the record's header sits right before its bytes
                    lastWritten = new WrittenFile(appended, cycleFilePath(appended), end - length - RECORD_HEADER_BYTES);
                    newCycleFileSinceFlush = true;
                }
                lastWritten.appendedTo = end;
                if (!lastWritten.due) {
                    lastWritten.due = true;
                    writtenSinceFlush.add(lastWritten);
                }
                if (appended != cycle) {
                    recordCycleAfterTheFact(appended);
                }
            } finally {
                appendClock.unpin();
                appendLock.unlock();
            }
            if (!readsOnlyDurable()) {
                // a reader bounded by durability cannot read this record yet: the flush that covers it rings.
                // Waking it here would only set it spinning beside the committer's msync, whose TLB shootdown
                // then waits for the reader's core (a thread yielding beside a plain Chronicle append + msync
                // loop cost that loop 25-48 %; group commit's own ratio did not measurably move)
                ringDoorbells();
            }
            return index;
        } catch (QueueClosedException | JournalFullException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new JournalException("Cannot append a " + JournalRecordDescriptor.kindName(record[0]) + " record of "
                    + length + " bytes to journal " + directory + ": " + e
                    + ". Check free disk space and that the directory is writable", e);
        }
    }

    /**
     * Pins the time the append's day is taken from: the record's stamp when it has one, unless that
     * lies in a day before the one appended into last (another committer stamped later and appended
     * first, across midnight): then the clock, as for an unstamped record, so that no append goes
     * back to an earlier day's file than a clock reading would.
     */
    private void pinAppendClock(long stampedTime) {
        if (stampedTime == NOT_STAMPED || lastWritten != null && stampedTime < dayStart(lastWritten.cycle)) {
            appendClock.pin();
        } else {
            appendClock.pin(stampedTime);
        }
    }

    /**
     * The first millisecond of a cycle, by {@link net.openhft.chronicle.queue.RollCycle#current}'s
     * arithmetic: a time before it lies in an earlier cycle (a multiplication on the append path, where
     * finding the time's cycle would divide).
     */
    private long dayStart(int cycle) {
        return queue.epoch() + (long) cycle * ROLL_CYCLE.lengthInMillis();
    }

    /**
     * The appender rolled to another day between the space check and the write (a commit at
     * midnight): the record is written, so the append must not fail now; the manifest is updated
     * as well as it can be, and the next open adds the file if this failed.
     */
    private void recordCycleAfterTheFact(int appended) {
        try {
            manifest.appendedInto(appended);
        } catch (RuntimeException e) {
            LOG.warn("Cannot record cycle {} in {}: {}; the next start adds it",
                    appended, CycleManifest.FILE_NAME, e.toString());
        }
    }

    /**
     * Forces to the disk every record appended before this call, and what is needed to find them
     * after a power cut. A cycle file's first flush in this process forces the whole file (fdatasync:
     * Chronicle's header and first index, written when the file was created); later flushes force
     * only the range appended since the previous flush started (msync, see {@link CycleFileSync}).
     * When a cycle file was created since then, also the journal directory and the cycle manifest.
     * What to flush is tracked from the appends themselves, so nothing another thread does (tailers
     * opening and closing cycle files) can make a flush skip a file. Flushes may run at the same time
     * ({@link FlushPipeline}); this returns once every flush started before it ended too.
     *
     * @throws JournalException if a flush failed; its ranges are due again, for the whole file
     */
    public void forceAll() {
        force(false);
    }

    /**
     * {@link #forceAll()} for a committer that {@link #awaitDurable} told to start a flush.
     */
    void forceAllAsStarter() {
        force(true);
    }

    /**
     * Waits until the record at {@code index} is durable, or until the caller should start a flush
     * itself ({@link #forceAllAsStarter()}): group commit's wait.
     *
     * @param index a record's index
     * @return true once it is durable, false if the caller must flush and ask again
     */
    boolean awaitDurable(long index) {
        return pipeline.awaitDurable(index, MAX_FLUSHES_IN_FLIGHT);
    }

    /**
     * @return whether a flush of this journal runs now (or a committer is about to start one): what a
     *         reader waiting for a record to become durable waits for, rather than flush itself
     */
    public boolean flushing() {
        return pipeline.flushing();
    }

    /** @return whether committers other than the caller wait for a flush (a hint, read without a lock) */
    boolean committersWaiting() {
        return pipeline.committersWaiting();
    }

    /** @return the index of the last record appended by this journal, -1 before any */
    long lastAppendedIndex() {
        return lastAppendedIndex;
    }

    private void force(boolean starter) {
        while (true) {
            WrittenFile[] files;
            long[] from;
            long[] to;
            boolean newFile;
            FlushPipeline.Flush flush = null;
            appendLock.lock();
            try {
                int count = writtenSinceFlush.size();
                files = writtenSinceFlush.toArray(new WrittenFile[count]);
                from = new long[count];
                to = new long[count];
                for (int i = 0; i < count; i++) {
                    WrittenFile file = files[i];
                    file.due = false;
                    from[i] = file.flushedFrom;
                    to[i] = file.appendedTo;
                    file.flushedFrom = to[i]; // the next flush starts where this one ends
                }
                writtenSinceFlush.clear();
                newFile = newCycleFileSinceFlush;
                newCycleFileSinceFlush = false;
                flush = pipeline.start(lastAppendedIndex, starter);
            } finally {
                appendLock.unlock();
                if (flush == null && starter) {
                    pipeline.startAbandoned();
                }
            }
            try {
                for (int i = 0; i < files.length; i++) {
                    if (from[i] < 0) {
                        sync.forceWhole(files[i].path);
                    } else {
                        sync.forceRange(files[i].path, from[i], to[i]);
                    }
                }
                if (newFile) {
                    forceDirectoryEntries();
                }
                ZeroFillFlusher zeroFill = zeroFillFlusher;
                if (zeroFill != null) {
                    zeroFill.checkNoFailure(); // a write-back error it saw is not reported to our descriptors again
                }
            } catch (RuntimeException e) {
                appendLock.lock();
                try {
                    for (WrittenFile file : files) {
                        rewriteAfterFailure(file, e);
                        file.flushedFrom = -1; // later flushes already took the ranges after this one: all of it again
                        if (!file.due) {
                            file.due = true;
                            writtenSinceFlush.add(file);
                        }
                    }
                    newCycleFileSinceFlush |= newFile;
                    pipeline.finished(flush, false);
                } finally {
                    appendLock.unlock();
                }
                throw e;
            }
            pipeline.finished(flush, true);
            pipeline.awaitRetired(flush);
            if (flush.madeDurable()) {
                recordDurable(files, to);
                // only upwards, whichever flushing thread gets here last; unbounded (MAX_VALUE) stays unbounded
                durableIndex.accumulateAndGet(pipeline.durableUpTo(), Math::max);
                flushes.incrementAndGet();
                ringDoorbells();
                return;
            }
            starter = false; // a flush started before this one failed: this one proves nothing, flush again
        }
    }

    /** After a flush that made its ranges durable, and every flush started before it too. */
    private void recordDurable(WrittenFile[] files, long[] to) {
        appendLock.lock();
        try {
            for (int i = 0; i < files.length; i++) {
                files[i].durableTo = Math.max(files[i].durableTo, to[i]);
            }
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Under the append lock, so that no flush starts before the pages are due again: the kernel holds
     * pages whose write-back failed as written, and the next flush would skip them.
     */
    private void rewriteAfterFailure(WrittenFile file, RuntimeException failure) {
        try {
            sync.rewrite(file.path, file.durableTo, file.appendedTo);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            LOG.error("{}", e.getMessage(), e);
        }
    }

    /**
     * From now on, readers of this journal read only records that are on the disk
     * ({@link #durableIndex()}); a reader that reaches the end of that calls {@link #forceAll()}.
     * Forces every existing cycle file first, so that what a crashed process left in the page cache
     * counts as durable. Why: a handler's cursor and the recovery low-water mark live in the
     * checkpoint file, whose page the operating system may write back before the journal records they
     * passed; if those records were then lost in a power cut, the checkpoint would claim batches and
     * outcomes the journal no longer holds, and a committed transaction whose release record was lost
     * would never be released again. Reading only durable records keeps every claim behind the disk.
     *
     * @throws JournalException if the existing files cannot be flushed
     */
    public void readOnlyDurable() {
        long last = lastIndex(); // the directory listing was refreshed when the journal was opened
        for (CycleFile file : cycleFiles()) {
            sync.forceWhole(file.path());
        }
        forceDirectoryEntries();
        durableIndex.set(last);
    }

    /**
     * From now on, the blocks allocated ahead of the appender are zero-filled and forced on a
     * background thread before records reach them (see {@link ZeroFillFlusher}), so that a flush of
     * a record writes its data and no block map. For queues that flush; stopped by {@link #close()}.
     *
     * @param threads makes the background thread (not started) that runs the given task
     */
    public void zeroFillAhead(Function<Runnable, Thread> threads) {
        ZeroFillFlusher flusher = new ZeroFillFlusher(threads);
        appendLock.lock();
        try {
            if (closed || zeroFillFlusher != null) {
                flusher.close();
                return;
            }
            zeroFillFlusher = flusher;
            space.zeroFillAhead(flusher);
        } finally {
            appendLock.unlock();
        }
    }

    /** What finds a new day's file after a power cut: the cycle manifest, Chronicle's metadata and the directory. */
    private void forceDirectoryEntries() {
        sync.forceWhole(directory.resolve(CycleManifest.FILE_NAME));
        sync.forceWhole(directory.resolve(CHRONICLE_METADATA_FILE));
        forceDirectory(directory);
    }

    /**
     * @return a value that changes whenever a record is appended or more of the journal becomes durable:
     *         a reader that saw it unchanged since before its last read has nothing new to read
     */
    public long progressMark() {
        return lastAppendedIndex + durableIndex.get();
    }

    /**
     * Rings {@code doorbell} after every flush that makes more records durable, and after every append
     * unless readers read only durable records, until
     * {@link #stopWaking(Doorbell)}.
     *
     * @param doorbell a reader's doorbell
     */
    public synchronized void wakeOnProgress(Doorbell doorbell) {
        Doorbell[] current = doorbells;
        Doorbell[] more = Arrays.copyOf(current, current.length + 1);
        more[current.length] = doorbell;
        doorbells = more;
    }

    /** @param doorbell a doorbell given to {@link #wakeOnProgress(Doorbell)}; no longer rung */
    public synchronized void stopWaking(Doorbell doorbell) {
        doorbells = Arrays.stream(doorbells).filter(d -> d != doorbell).toArray(Doorbell[]::new);
    }

    private void ringDoorbells() {
        for (Doorbell doorbell : doorbells) {
            doorbell.ring();
        }
    }

    /**
     * @return whether readers read only durable records ({@link #readOnlyDurable()}): they then have
     *         nothing to read until a flush, which rings them, and are not rung by appends
     */
    public boolean readsOnlyDurable() {
        return durableIndex.get() != Long.MAX_VALUE;
    }

    /** @return the highest index known to be on the disk, or {@link Long#MAX_VALUE} when readers are not bounded */
    public long durableIndex() {
        return durableIndex.get();
    }

    /** @return how many flushes ({@link #forceAll()} calls) completed */
    public long flushCount() {
        return flushes.get();
    }

    /** Makes new directory entries (a new cycle file) durable: fsync of the directory itself. */
    static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            IoFaults.check(IoFaults.Site.FLUSH);
            channel.force(true);
        } catch (IOException e) {
            throw new JournalException("Cannot flush the directory entries of journal " + directory + " to disk: "
                    + e, e);
        }
    }

    /** @return whether the last attempt to find room for a new batch failed: the journal is full */
    public boolean isFull() {
        return space.isFull();
    }

    /** @return the usable bytes of the journal's file system (one statvfs call), -1 if unknown */
    public long usableSpace() {
        return space.usableSpace();
    }

    /** @return the bytes kept free for records that complete what is already journaled */
    public long reserveBytes() {
        return space.reserveBytes();
    }

    /**
     * Creates a tailer positioned at the start of the journal. The caller owns it and must close it.
     *
     * @return a new tailer
     */
    public ExcerptTailer createTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    /**
     * Reads the record at a journal index (by index: tens of microseconds, for the rare record
     * that is not read in sequence).
     *
     * @param tailer a tailer of this journal, moved by this call
     * @param index  the record's index
     * @return a copy of the record, or null if the journal holds no record at that index
     */
    public static byte[] readAt(ExcerptTailer tailer, long index) {
        if (!tailer.moveToIndex(index)) {
            return null;
        }
        try (DocumentContext context = tailer.readingDocument()) {
            if (!context.isPresent()) {
                return null;
            }
            Bytes<?> bytes = context.wire().bytes();
            byte[] record = new byte[(int) bytes.readRemaining()];
            bytes.read(record);
            return record;
        }
    }

    /**
     * Moves a tailer that found nothing more in its day to the next day that has records, when a
     * later day exists. A day's end-of-file marker is written when the next day's first record is;
     * a crash or power cut between the two leaves the day without it, and Chronicle's tailer would
     * wait at its end until the next append. Safe: once a later day has a record, nothing more is
     * appended to an earlier one (appends are serialised, the clock only moves forward).
     *
     * @param tailer a tailer of this journal that has just found no record
     * @return whether it was moved
     */
    public boolean moveOnFromADayWithoutEnd(ExcerptTailer tailer) {
        int here = tailer.cycle();
        if (queue.lastCycle() <= here) {
            // no later day file: the common case, answered from the directory listing. lastIndex() builds a
            // tailer and reads a day's store header, about a millisecond of CPU that an idle reader spent
            // on every check (four fifths of its CPU while idle)
            return false;
        }
        long last = lastIndex();
        if (last < 0 || here >= cycleOf(last)) {
            return false;
        }
        for (CycleFile file : cycleFiles()) {
            if (file.cycle() > here && tailer.moveToIndex(ROLL_CYCLE.toIndex(file.cycle(), 0))) {
                LOG.info("Journal {}: day {} has no end-of-file marker "
                        + "(the process stopped between its last record and the next day's first); reading goes on "
                        + "with {}", directory, LocalDate.ofEpochDay(here), file.path().getFileName());
                return true;
            }
        }
        return false;
    }

    /** @return the index of the last record in the journal, or -1 if it is empty */
    public long lastIndex() {
        long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    /**
     * Counts the records from one index to another without reading them (Chronicle keeps an index
     * per cycle), for progress reports.
     *
     * @param fromIndex the first index counted, or -1 for the journal's first record
     * @param toIndex   the last index counted
     * @return the number of records in between, 0 if the range is empty
     */
    public long countRecords(long fromIndex, long toIndex) {
        long from = fromIndex < 0 ? firstIndex() : fromIndex;
        if (from < 0 || toIndex < from) {
            return 0;
        }
        return queue.countExcerpts(from, toIndex) + 1;
    }

    /**
     * Counts the records after {@code index}, to the end of the journal: how far behind a reader that
     * has read up to there is. Reads Chronicle's memory-mapped index (no disk I/O in the common case),
     * cheap enough for every scrape of a metrics endpoint.
     *
     * @param index the last record read, or -1 when nothing was read (every record counts)
     * @return the records after it; 0 once the journal is closed, -1 if they cannot be counted
     */
    public long recordsAfter(long index) {
        return recordsToEnd(index, false);
    }

    /**
     * Counts the records from {@code index} on, to the end of the journal, as {@link #recordsAfter}.
     *
     * @param index the first record counted, or -1 for the journal's first
     * @return the records at and after it; 0 once the journal is closed, -1 if they cannot be counted
     */
    public long recordsFrom(long index) {
        return recordsToEnd(index, true);
    }

    private long recordsToEnd(long index, boolean inclusive) {
        long stamp = closeLock.readLock();
        try {
            if (closed) {
                return 0;
            }
            long last = lastIndex();
            if (last < 0 || index > last) {
                return 0;
            }
            if (index < 0) {
                return countRecords(-1, last);
            }
            long counted = countRecords(index, last);
            return inclusive ? counted : counted - 1;
        } catch (RuntimeException e) {
            return -1; // e.g. the cycle of index was deleted meanwhile: a metric must not fail its caller
        } finally {
            closeLock.unlockRead(stamp);
        }
    }

    /** @return the index of the first retained record, or -1 if the journal is empty */
    public long firstIndex() {
        long first = queue.firstIndex();
        return first == Long.MAX_VALUE || first < 0 ? -1 : first;
    }

    /**
     * The journal clock's time; also what to stamp a record with that is appended right after, with
     * that time passed to {@link #append(byte[], int, long)} or {@link #appendBatch(byte[], int, long)}:
     * one clock reading then serves the record's timestamp and the day it is appended into.
     *
     * @return the journal clock's time, in epoch milliseconds
     */
    public long currentTimeMillis() {
        return queue.time().currentTimeMillis();
    }

    /**
     * @param index a journal index
     * @return the cycle (day) it lies in
     */
    public int cycleOf(long index) {
        return ROLL_CYCLE.toCycle(index);
    }

    /**
     * The journal's cycle files, oldest first. A cycle is a day: cycle {@code c} holds the records
     * appended from {@code c} to {@code c + 1} days after the epoch (UTC).
     *
     * @return the cycle files and their cycles
     */
    public List<CycleFile> cycleFiles() {
        return cycleFiles(directory);
    }

    /**
     * The cycle files of a journal directory, oldest first, read without opening the journal (for
     * inspection): the files whose names are a day of {@link #ROLL_CYCLE}; anything else is left alone.
     *
     * @param directory a journal directory
     * @return the cycle files and their cycles
     * @throws JournalException if the directory cannot be listed
     */
    public static List<CycleFile> cycleFiles(Path directory) {
        try (Stream<Path> files = listDirectory(directory)) {
            List<CycleFile> cycles = new ArrayList<>();
            files.forEach(file -> {
                String name = file.getFileName().toString();
                if (name.endsWith(CYCLE_FILE_SUFFIX)) {
                    try {
                        int cycle = (int) LocalDate.parse(name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length()),
                                CYCLE_NAME).toEpochDay();
                        cycles.add(new CycleFile(cycle, file));
                    } catch (DateTimeParseException notACycleFile) {
                        // not one of ours: left alone
                    }
                }
            });
            cycles.sort(Comparator.comparingInt(CycleFile::cycle));
            return cycles;
        } catch (IOException e) {
            throw new JournalException("Cannot list journal " + directory + ": " + e, e);
        }
    }

    /**
     * Deletes a cycle file unless a tailer or appender of this journal still uses it.
     *
     * @param file a cycle file older than the one being written
     * @return whether it was deleted
     * @throws JournalException if the file cannot be deleted
     */
    public boolean deleteCycle(CycleFile file) {
        long stamp = closeLock.readLock();
        try {
            if (closed || filesInUse.contains(file.path().toFile())) {
                return false;
            }
            // The manifest first, made durable, then the file: a crash in between leaves a file the manifest
            // does not list, which the next open lists again; the other order leaves a journal that refuses to open.
            manifest.removed(List.of(file.cycle()));
            forceDirectory(directory);
            sync.release(file.path());
            IoFaults.check(IoFaults.Site.DELETE);
            Files.deleteIfExists(file.path());
            // Chronicle caches the directory listing; a stale one would send tailers to the deleted file
            queue.refreshDirectoryListing();
            return true;
        } catch (IOException e) {
            throw new JournalException("Cannot delete journal cycle file " + file.path() + ": " + e, e);
        } finally {
            closeLock.unlockRead(stamp);
        }
    }

    private static Stream<Path> listDirectory(Path directory) throws IOException {
        IoFaults.check(IoFaults.Site.LIST);
        return Files.list(directory);
    }

    /**
     * @param cycle a day, counted from the epoch
     * @return the name of its cycle file
     */
    public static String cycleFileName(int cycle) {
        return LocalDate.ofEpochDay(cycle).format(CYCLE_NAME) + CYCLE_FILE_SUFFIX;
    }

    /**
     * One daily file of the journal.
     *
     * @param cycle the day, counted from the epoch
     * @param path  the file
     */
    public record CycleFile(int cycle, Path path) {
    }

    /** @return whether the journal was opened for reading only */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * The journal's one appender, used under the append lock by whichever thread appends. One per
     * journal rather than one per publishing thread: nothing is kept per thread that has published,
     * so a thread per request (virtual threads) costs no memory and no time per new thread.
     */
    private ExcerptAppender appender() {
        if (appender == null) {
            appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true); // used by one thread at a time, not always the same
        }
        return appender;
    }

    /**
     * Closes the journal once in-flight appends have finished; later appends throw
     * {@link QueueClosedException}.
     */
    @Override
    public void close() {
        long stamp = closeLock.writeLock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            sync.close();
            appendLock.lock();
            try {
                if (appender != null) {
                    appender.close();
                    appender = null;
                }
            } finally {
                appendLock.unlock();
                if (zeroFillFlusher != null) {
                    zeroFillFlusher.close(); // outside the append lock: it waits for a force that runs
                }
            }
            queue.close();
        } finally {
            closeLock.unlockWrite(stamp);
        }
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** A cycle file appended into, and how much of it is durable (guarded by appendLock). */
    private static final class WrittenFile {
        final int cycle;
        final Path path;
        /** The end of the last record appended. */
        long appendedTo;
        /**
         * Where the next flush of the file starts (the end of what the last flush started took); -1
         * until its first flush in this process, and after a failed one: then it forces all of it.
         */
        long flushedFrom = -1;
        /** Whether it is in writtenSinceFlush. */
        boolean due;
        /**
         * The end of what flushes that all succeeded made durable: what lies after it may have failed
         * to reach the disk, and is written again after a failed flush.
         */
        long durableTo;

        WrittenFile(int cycle, Path path, long firstRecord) {
            this.cycle = cycle;
            this.path = path;
            this.durableTo = firstRecord;
        }
    }

    private final class FileTracker implements StoreFileListener {
        @Override
        public void onAcquired(int cycle, File file) {
            filesInUse.add(file);
            if (!readOnly) {
                JournalDirectory.restrictToOwner(file.toPath());
            }
        }

        @Override
        public void onReleased(int cycle, File file) {
            filesInUse.remove(file);
        }
    }
}
