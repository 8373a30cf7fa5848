package io.denormq.internal.journal;

import static io.denormq.internal.journal.JournalRecordDescriptor.*;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journals the outcomes of {@code WRITE_AHEAD} transactions that complete back to back as RELEASES
 * records, one record for all that completed within an interval: under such a load a committing
 * thread appends its batch and hands the outcome over instead of appending a second record. A
 * transaction completing alone still writes its own RELEASE or ROLLBACK record, so a lone commit's
 * messages are dispatched as soon as before.
 *
 * <p><b>What it keeps.</b> An outcome is handed over only while the writer is collecting (a
 * committing thread saw the previous outcome less than {@value #BURST_MICROS} µs before its own;
 * the writer stops when they come more slowly) or while an outcome handed over earlier is not
 * written yet; then every later one is handed over too, so a release never overtakes one that
 * completed before it (one thread's transactions are released in the order they committed).
 * Nothing durable depends on it: a batch whose outcome was not written when the process died is
 * released by recovery, as after a crash between a commit and its RELEASE record. The queue's close
 * waits for the transactions it counts as committing, and an outcome handed over counts until it is
 * written.
 *
 * <p>Thread-safe: any thread may hand over outcomes. They are written by the writer's own thread at
 * the end of each interval, and by a committing thread that finds 16 waiting or the oldest waiting for
 * two intervals, so that a writer kept off the cores (by the committers, or by anything else the
 * machine runs) can neither let them pile up nor hold a committed message back for longer.
 */
public final class ReleaseWriter {
    /** Receives how many handed-over outcomes were written (or failed to be), from the thread that wrote them. */
    @FunctionalInterface
    public interface Written {
        /** @param outcomes how many outcomes the last RELEASES record (or failed attempt) held */
        void outcomesWritten(int outcomes);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseWriter.class);
    /**
     * Two outcomes this close together start collecting; the writer stops when they come more slowly
     * than one per this on average over an interval. (Waiting for eight close outcomes in a row
     * before starting made a back-to-back commit's p99 worse, 2.4-10.8 us against 1.7-6.1.)
     */
    private static final long BURST_MICROS = 20;
    private static final long BURST_NANOS = TimeUnit.MICROSECONDS.toNanos(BURST_MICROS);
    /**
     * How long the writer waits between RELEASES records while collecting: the longest an outcome
     * waits while commits come more slowly than {@link #WRITE_AT_PENDING} per interval. (20 µs,
     * with committers writing at 64 waiting, woke the writer so often that it took the committers'
     * core: ten-message transactions end to end 1.96-4.10 M messages/s, against 3.98-4.42 M now.)
     */
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** How long it waits while committing threads write the records themselves (see {@link #WRITE_AT_PENDING}). */
    private static final long LONG_INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(400);
    /** Outcomes per RELEASES record at most (14 bytes each). */
    private static final int MAX_OUTCOMES_PER_RECORD = 1024;
    private static final int RING_BYTES = 64 * 1024;
    /** One outcome in the hand-over ring: batch index, message count, kind and reason. */
    private static final int HANDOVER_LENGTH = 8 + 4 + 1 + 1;
    private static final int HANDOVER_TYPE = 1;
    /**
     * With this many outcomes handed over and not written, the committing thread writes the
     * RELEASES record itself unless another thread is writing one: when commits come faster than one
     * per interval, the writer's thread may not get a core (two cores shared by committers, readers
     * and handlers), and what the readers hold waiting for outcomes must stay bounded.
     */
    private static final long WRITE_AT_PENDING = 16;
    /**
     * With this many waiting, the committing thread waits for the thread writing a record (which may
     * have lost its core while holding the lock), then writes what is left.
     */
    private static final long WAIT_AT_PENDING = 256;
    /**
     * An outcome handed over this long ago and still not written is overdue: the writer's thread, which
     * writes every {@link #INTERVAL_NANOS} while collecting, has not had a core since. The committing
     * thread that finds it so writes the record itself (checked when 2, 4 or 8 are waiting, so that the
     * clock is read at most four times per record, once more when the first one waits). Without it,
     * while the writer's thread was off the cores (a tracer held the other one), commits at 10 000 a
     * second waited for 16 to pile up: 1.6 ms.
     */
    private static final long OVERDUE_NANOS = 2 * INTERVAL_NANOS;

    private final Journal journal;
    /** Set once, before the first hand-over; the queue's publish path counts its committing transactions. */
    private volatile Written written = outcomes -> { };
    private final ManyToOneRingBuffer handover = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final MutableDirectBuffer handoverBuffer = handover.buffer();
    private final Thread thread;
    /** Outcomes handed over so far; {@link #writtenCount} of them were written. */
    private final AtomicLong handedOver = new AtomicLong();
    private volatile long writtenCount;
    private volatile boolean collecting;
    private volatile boolean running = true;
    /** When a committing thread last journaled an outcome itself. */
    private long lastOwnOutcomeAt;
    /** When the oldest outcome not yet written was handed over (set by the committer that found none waiting). */
    private volatile long firstWaitingSince;
    /**
     * Whether the journal's format marker allows RELEASES records: raised by the writer's thread
     * the first time a burst asks for it, so that no commit waits for the marker's write and flush,
     * and a marker that cannot be written (a full disk) leaves every transaction writing its own
     * outcome record, which the space reserve covers, instead of outcomes that could not be written.
     */
    private volatile boolean formatReady;
    private volatile boolean formatRequested;

    /** Serialises the writing of RELEASES records: the ring has one consumer at a time. */
    private final ReentrantLock writing = new ReentrantLock();
    // under writing
    private final RecordBuffer record = new RecordBuffer(Journal.MAX_RECORD_BYTES);
    private final MessageHandler collect = this::collect;
    private int ordinals;
    private int inRecord;

    /**
     * Starts the writer's thread.
     *
     * @param journal the journal to write into
     * @param threads creates the (unstarted) writer thread for a task
     */
    public ReleaseWriter(Journal journal, Function<Runnable, Thread> threads) {
        this.journal = journal;
        this.thread = threads.apply(this::run);
        this.thread.start();
    }

    /**
     * Names who is told, from the thread that wrote them, how many handed-over outcomes were written.
     *
     * @param written the receiver; called before the first hand-over
     */
    public void onWritten(Written written) {
        this.written = written;
    }

    /**
     * Hands a journaled batch's outcome over to be written with others, if transactions are
     * completing back to back or an earlier outcome is still waiting; otherwise the caller writes
     * it. Allocates nothing. Once this returned true, {@link Written#outcomesWritten} counts it.
     *
     * @param kind       {@link JournalRecordDescriptor#KIND_RELEASE} or {@link JournalRecordDescriptor#KIND_ROLLBACK}
     * @param batchIndex the batch's journal index
     * @param reason     the outcome's reason code
     * @param messages   how many messages the batch holds
     * @return whether it was handed over; false if the caller must append its own outcome record
     */
    public boolean handOver(byte kind, long batchIndex, byte reason, int messages) {
        if (!running || !collecting && writtenCount == handedOver.get()) {
            long now = System.nanoTime();
            long last = lastOwnOutcomeAt;
            lastOwnOutcomeAt = now;
            if (now - last < BURST_NANOS && running) {
                if (formatReady) {
                    collecting = true; // this one is still written by its caller: the writer may be parked
                    LockSupport.unpark(thread);
                } else if (!formatRequested) {
                    formatRequested = true; // the writer raises the journal's format marker first, once
                    LockSupport.unpark(thread);
                }
            }
            return false;
        }
        long handed = handedOver.incrementAndGet(); // first: a later transaction of this thread sees it unwritten
        int at;
        while ((at = handover.tryClaim(HANDOVER_TYPE, HANDOVER_LENGTH)) < 0) {
            LockSupport.unpark(thread); // the writer is behind by a whole ring: wait for it
            Thread.yield();
        }
        handoverBuffer.putLong(at, batchIndex);
        handoverBuffer.putInt(at + 8, messages);
        handoverBuffer.putByte(at + 12, kind);
        handoverBuffer.putByte(at + 13, reason);
        handover.commit(at);
        VarHandle.fullFence(); // pairs with the writer's fence between clearing collecting and its last look
        long pending = handed - writtenCount;
        if (pending == 1) {
            firstWaitingSince = System.nanoTime();
        }
        if ((pending >= WRITE_AT_PENDING || overdue(pending)) && lockToWrite(pending)) {
            try {
                writeHandedOver();
            } finally {
                writing.unlock();
            }
        } else if (!collecting) {
            LockSupport.unpark(thread); // it stopped collecting, maybe before this was in the ring
        }
        return true;
    }

    /**
     * @param pending outcomes waiting, this committer's included
     * @return whether the oldest has waited {@link #OVERDUE_NANOS} (looked at only when 2, 4 or 8 wait)
     */
    private boolean overdue(long pending) {
        return (pending == 2 || pending == 4 || pending == 8) && System.nanoTime() - firstWaitingSince >= OVERDUE_NANOS;
    }

    /** Waits until every outcome handed over before this call is in the journal (or failed to be). */
    public void awaitWritten() {
        long target = handedOver.get();
        while (writtenCount < target && thread.isAlive()) {
            LockSupport.unpark(thread);
            LockSupport.parkNanos(INTERVAL_NANOS);
        }
    }

    /**
     * Stops the writer once what was handed over is written. Called when no transaction is
     * committing any more; from a thread writing outcomes (the last outcome written finished a
     * close) it only asks it to stop.
     */
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || writing.isHeldByCurrentThread()) {
            return; // the last outcome written finished a close: the writer may wait for this thread's lock
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            writeUntilClosed();
        } catch (RuntimeException | Error e) {
            running = false; // committing threads write their own outcomes from now on
            long unwritten = handedOver.get() - writtenCount;
            writtenCount += unwritten;
            written.outcomesWritten((int) unwritten); // or close would wait for them
            LOG.error("The release writer of journal {} stopped: {}. Transactions journal their own outcomes from now "
                    + "on; {} handed-over outcome(s) were not written and are resolved on the next start",
                    journal.directory(), e.toString(), unwritten, e);
        }
    }

    private void writeUntilClosed() {
        long seenWritten = writtenCount;
        long seenHandedOver = handedOver.get();
        long lastLook = System.nanoTime();
        boolean formatFailed = false;
        while (true) {
            if (formatRequested && !formatReady && !formatFailed) {
                formatFailed = !raiseFormat();
            }
            boolean committersWrote = writtenCount != seenWritten;
            writeHandedOverNow();
            seenWritten = writtenCount;
            long handed = handedOver.get();
            long now = System.nanoTime();
            // still a burst while outcomes come at least one per BURST_NANOS on average: below that rate each
            // commit would wait for an interval its own RELEASE record does not need (10 000 commits a
            // second once collecting took p50 commit -> handler from 13 to 115-183 us). Judged over an
            // interval at least: just woken by the commit that started collecting, it has seen none (judged at
            // once, it stopped again 42 345 times in 2.3 M outcomes, each restart a wake-up the committer paid)
            long elapsed = now - lastLook;
            boolean burst = elapsed < INTERVAL_NANOS || (handed - seenHandedOver) * BURST_NANOS >= elapsed;
            if (elapsed >= INTERVAL_NANOS) {
                seenHandedOver = handed;
                lastLook = now;
            }
            if (!running) {
                if (writtenCount == handedOver.get()) {
                    return;
                }
                Thread.onSpinWait(); // one is being put into the ring
                continue;
            }
            if (collecting && burst) {
                // committers writing records themselves means commits come faster than the interval: waking
                // often would only take their core (a commit's p99 went from 1.2-1.8 to 10 us); the last few
                // outcomes of the burst then wait up to the long interval
                LockSupport.parkNanos(committersWrote ? LONG_INTERVAL_NANOS : INTERVAL_NANOS);
                continue;
            }
            collecting = false;
            VarHandle.fullFence();
            if (writtenCount != handedOver.get()) {
                // handed over since the last write: outcomes still come (each committer hands over while one
                // waits), so go on collecting rather than spin on them (a spinning writer took a core)
                collecting = true;
                LockSupport.parkNanos(INTERVAL_NANOS);
                continue;
            }
            LockSupport.park(this);
            seenWritten = writtenCount;
            seenHandedOver = handedOver.get();
            lastLook = System.nanoTime();
        }
    }

    private boolean raiseFormat() {
        try {
            JournalFormat.allowReleases(journal.directory());
            formatReady = true;
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Cannot raise the format marker of journal {} to allow RELEASES records: {}. Transactions "
                    + "completing back to back go on writing an outcome record each (nothing is lost; commits make "
                    + "two appends instead of one) until the queue is restarted", journal.directory(), e.toString());
            return false;
        }
    }

    /**
     * Takes the writing lock for a committing thread that found {@code pending} outcomes waiting: at
     * once or not at all below {@link #WAIT_AT_PENDING}, waiting for it from there on.
     *
     * @return whether the lock is held
     */
    private boolean lockToWrite(long pending) {
        if (pending < WAIT_AT_PENDING) {
            return writing.tryLock();
        }
        writing.lock();
        return true;
    }

    private void writeHandedOverNow() {
        writing.lock();
        try {
            writeHandedOver();
        } finally {
            writing.unlock();
        }
    }

    private void writeHandedOver() {
        while (true) {
            record.startReleases();
            ordinals = 0;
            inRecord = 0;
            if (handover.read(collect, MAX_OUTCOMES_PER_RECORD) == 0) {
                return;
            }
            writeRecord();
        }
    }

    private void collect(int type, MutableDirectBuffer buffer, int at, int length) {
        long batchIndex = buffer.getLong(at);
        int messages = buffer.getInt(at + 8);
        byte kind = buffer.getByte(at + 12);
        byte reason = buffer.getByte(at + 13);
        if (kind == KIND_RELEASE && ordinals + messages > MAX_MESSAGES_PER_BATCH) {
            writeRecord(); // its sequences would not fit behind the ones before it
            record.startReleases();
            ordinals = 0;
            inRecord = 0;
        }
        record.addOutcome(kind, batchIndex, reason, ordinals);
        inRecord++;
        if (kind == KIND_RELEASE) {
            ordinals += messages;
        }
    }

    private void writeRecord() {
        int outcomes = inRecord;
        if (outcomes == 0) {
            return;
        }
        try {
            long stamped = journal.currentTimeMillis();
            record.sealReleases(stamped);
            journal.append(record.array(), record.length(), stamped);
        } catch (RuntimeException | Error e) {
            LOG.error("Could not write the outcomes of {} transaction(s) to journal {}: {}. Their batches are resolved "
                    + "on the next start (released, even those that rolled back).", outcomes, journal.directory(),
                    e.toString(), e);
        } finally {
            inRecord = 0;
            writtenCount = writtenCount + outcomes; // written under the lock only
            written.outcomesWritten(outcomes);
        }
    }
}
