package io.denormq.internal.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import io.denormq.HandlerStats;
import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Doorbell;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecordDescriptor;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Pipeline} per handler (partition): its own journal reader, its own ring and its
 * own event-processor thread. Handlers are isolated: a slow or stuck handler fills only its own
 * ring and stops only its own reader, while the others keep reading the journal at full speed;
 * publishers never touch a ring (they only append to the journal), so no handler ever slows a
 * commit. The price is that every handler reads the journal itself: sequential reads cost tens of
 * nanoseconds per record.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * The longest sleep of a handler thread whose ring is empty and that has no message in flight: the
     * reader's publication and a halt wake it, so this only bounds a lost wake-up. Short sleeps cost an
     * idle queue CPU on every wake-up (200 µs sleeps kept a quiet queue at 10-14 % of a core).
     */
    private static final long HANDLER_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest sleep of a reader with nothing new: the journal rings it (see {@link ReaderIdle}). */
    private static final long READER_IDLE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long a reader of durable records that just read something waits before it looks again, unrung
     * (see {@link ReaderIdle}): under a flush per commit, the delay one wake-up's worth of commits waits for
     * dispatch, traded for a wake-up per commit; a few flushes' time (an msync takes 150-600 µs on the
     * machines measured in benchmarks/RESULTS.md).
     */
    private static final long DURABLE_READER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The longest sleep of a reader whose ring is full: the handler thread rings it as it frees slots, so
     * this only bounds a wake-up lost to a bug. A stuck handler costs its reader ten wake-ups a second.
     */
    private static final long READER_ROOM_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<HandlerRunner> runners;
    private final ErrorHandler errorHandler;

    /**
     * @param journal              the journal
     * @param checkpoint           the checkpoint file (the recovery low-water mark)
     * @param ringSize             each ring's capacity, a power of two
     * @param handlers             the handler runners, one pipeline each
     * @param noHandlerStartIndex  where the reader of a queue without handlers starts
     * @param redeliveredUpToIndex the journal's last index before this start
     * @param rebuilt              the handlers rebuilt on this start (their cursors were set to the rebuild's start)
     * @param errorHandler         where background failures go
     * @param busySpin             whether the threads spin rather than back off when idle
     * @param threadFactory        creates the readers' and handlers' threads
     */
    public Dispatcher(Journal journal, CheckpointFile checkpoint, int ringSize, List<HandlerRunner> handlers,
                      long noHandlerStartIndex, long redeliveredUpToIndex, Set<String> rebuilt,
                      ErrorHandler errorHandler, boolean busySpin, ThreadFactory threadFactory) {
        this.errorHandler = errorHandler;
        this.runners = List.copyOf(handlers);
        // a queue without handlers still reads the journal: it keeps the recovery low-water mark moving
        int readers = Math.max(1, handlers.size());
        LowWaterMarks lowWaterMarks = new LowWaterMarks(checkpoint, readers);
        if (handlers.isEmpty()) {
            pipelines.add(new Pipeline(journal, lowWaterMarks, 0, null, ringSize, noHandlerStartIndex,
                    Long.MAX_VALUE, redeliveredUpToIndex, false, busySpin, threadFactory));
        }
        for (int i = 0; i < handlers.size(); i++) {
            HandlerRunner runner = handlers.get(i);
            long cursor = runner.storedCursor();
            long startIndex = cursor == CheckpointDescriptor.NOTHING ? CheckpointDescriptor.NOTHING
                    : JournalRecordDescriptor.recordIndexOf(cursor);
            pipelines.add(new Pipeline(journal, lowWaterMarks, i, runner, ringSize, startIndex, cursor,
                    redeliveredUpToIndex, rebuilt.contains(runner.name()), busySpin, threadFactory));
        }
    }

    /** One handler's reader, ring and event processor. */
    private final class Pipeline {
        final Journal journal;
        final long startIndex;
        final RingBuffer<MessageEvent> ring;
        final ReleaseReader reader;
        final Doorbell readerDoorbell;
        final Thread readerThread;
        final HandlerRunner runner;
        final BatchEventProcessor<MessageEvent> processor;
        final Thread handlerThread;

        Pipeline(Journal journal, LowWaterMarks lowWaterMarks, int number, HandlerRunner runner, int ringSize,
                 long startIndex, long skipUpToSequence, long redeliveredUpToIndex, boolean rebuilding,
                 boolean busySpin, ThreadFactory threadFactory) {
            this.journal = journal;
            this.startIndex = startIndex;
            this.runner = runner;
            String label = runner == null ? "no handler" : "handler '" + runner.displayName() + "'";
            ReaderIdle idle = new ReaderIdle(journal, READER_ROOM_SLEEP_NANOS, READER_IDLE_SLEEP_NANOS,
                    DURABLE_READER_POLL_NANOS, busySpin);
            this.ring = RingBuffer.createSingleProducer(() -> new MessageEvent(ringSize), ringSize,
                    new HandlerWaitStrategy(100, HANDLER_SLEEP_NANOS, busySpin,
                            runner != null && runner.isAsync() ? runner::needsAttention : () -> false,
                            idle.roomDoorbell()));
            if (runner != null) {
                // The processor frees a batch's slots only when the batch ends: a batch of the whole ring would
                // leave the reader waiting until the ring is empty, and the handler waiting for the reader
                // after it. Batches of a share of the ring free one while the handler works on the next.
                processor = new BatchEventProcessorBuilder().setMaxBatchSize(ringSize / ReleaseReader.RING_SHARES)
                        .build(ring, ring.newBarrier(), runner);
                processor.setExceptionHandler(new LoggingExceptionHandler(runner.displayName(), errorHandler));
                ring.addGatingSequences(processor.getSequence());
                handlerThread = QueueThreads.create(threadFactory, processor, "denormq-handler-" + runner.displayName());
            } else {
                processor = null;
                handlerThread = null;
            }
            this.readerDoorbell = idle.doorbell();
            journal.wakeOnProgress(readerDoorbell);
            this.reader = new ReleaseReader(journal, lowWaterMarks, number, runner == null ? null : runner.name(),
                    runner == null ? 0 : runner.partition(), runner == null ? 1 : runner.partitions(), label,
                    ring, startIndex, skipUpToSequence, redeliveredUpToIndex, rebuilding, idle, errorHandler);
            this.readerThread = QueueThreads.create(threadFactory, reader,
                    "denormq-reader" + (runner == null ? "" : "-" + runner.displayName()));
            if (runner != null) {
                // a halted handler's pipeline stops: its lag and unread records then grow as the journal does
                runner.whenHalted(() -> {
                    reader.stop();
                    processor.halt();
                });
            }
        }

        boolean halted() {
            return runner != null && runner.haltReason() != null;
        }

        /** Records of the journal this pipeline's reader has not read yet (it reads from its start index on). */
        long unreadRecords() {
            long lastRead = reader.lastReadIndex();
            if (lastRead != CheckpointDescriptor.NOTHING || startIndex == CheckpointDescriptor.NOTHING) {
                return journal.recordsAfter(lastRead);
            }
            return journal.recordsFrom(startIndex);
        }

        void start() {
            if (handlerThread != null) {
                handlerThread.start();
            }
            readerThread.start();
        }

        boolean caughtUpWith(long journalIndex) {
            if (halted()) {
                return false; // it will not process anything more before a restart
            }
            if (reader.lastReadIndex() < journalIndex && reader.isRunning()) {
                return false;
            }
            // a processor whose thread has not started yet is not "not running": it has yet to start;
            // an asynchronous handler has processed a message once it acknowledged it
            return processor == null || (processor.getSequence().get() >= ring.getCursor() && runner.unacknowledged() == 0)
                    || runner.hasShutDown();
        }
    }

    /** Starts every pipeline's handler thread, then its reader. */
    public void start() {
        pipelines.forEach(Pipeline::start);
    }

    /** @return the runners, one per handler partition */
    public List<HandlerRunner> runners() {
        return runners;
    }

    /**
     * Reads each handler's counters and lag from its ring's sequences. The slot after a handler's
     * sequence cannot be overwritten while that handler has not passed it (its sequence gates its
     * reader), so reading its release time from another thread is safe.
     *
     * @return one entry per handler partition, in registration order
     */
    public List<HandlerStats> handlerStats() {
        long now = System.currentTimeMillis();
        List<HandlerStats> stats = new ArrayList<>(runners.size());
        for (Pipeline pipeline : pipelines) {
            if (pipeline.runner == null) {
                continue;
            }
            long published = pipeline.ring.getCursor();
            long done = pipeline.processor.getSequence().get();
            long lag = Math.max(0, published - done);
            long lagMillis = lag == 0 ? 0 : Math.max(0, now - pipeline.ring.get(done + 1).releasedAtMillis);
            HandlerRunner runner = pipeline.runner;
            String haltReason = runner.haltReason();
            HandlerStats.State state = haltReason != null ? HandlerStats.State.HALTED
                    : runner.hasShutDown() ? HandlerStats.State.STOPPED : HandlerStats.State.RUNNING;
            stats.add(new HandlerStats(runner.displayName(), runner.storedCursor(), runner.processed(), runner.retries(),
                    runner.deadLetters(), lag, lagMillis, pipeline.unreadRecords(), runner.unacknowledged(), state,
                    haltReason));
        }
        return stats;
    }

    /** @return batches whose outcome the readers have not seen yet (the most any reader holds) */
    public int unresolvedBatches() {
        int most = 0;
        for (Pipeline pipeline : pipelines) {
            most = Math.max(most, pipeline.reader.unresolvedCount());
        }
        return most;
    }

    /**
     * Waits until every handler has processed every message released in the journal up to
     * {@code journalIndex}.
     *
     * @param journalIndex the journal index to wait for
     * @param timeout      how long to wait
     * @return true if done in time; false at once when a handler is halted (it is not caught up,
     *         and will not be before a restart)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitProcessed(long journalIndex, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Pipeline pipeline : pipelines) {
            while (!pipeline.caughtUpWith(journalIndex)) {
                if (pipeline.halted() || System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(1);
            }
        }
        return true;
    }

    /**
     * Stops dispatching: each reader reads what the journal holds, the handlers process it (and
     * asynchronous handlers acknowledge it), then all threads stop. A handler still busy when
     * {@code timeout} runs out is halted: what it had not acknowledged is delivered again on the next start.
     *
     * @param timeout how long to wait for the handlers to drain
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        pipelines.forEach(pipeline -> pipeline.reader.drainAndStop());
        for (Pipeline pipeline : pipelines) {
            join(pipeline.readerThread, deadline);
            if (pipeline.readerThread.isAlive()) { // its handler is stuck and its ring full
                pipeline.reader.stop();
                join(pipeline.readerThread, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            }
            pipeline.journal.stopWaking(pipeline.readerDoorbell);
        }
        for (Pipeline pipeline : pipelines) {
            if (pipeline.processor == null) {
                continue;
            }
            long published = pipeline.ring.getCursor();
            while (pipeline.processor.getSequence().get() < published && !pipeline.runner.hasShutDown()
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            // an asynchronous handler's acknowledgements may still arrive: give them the rest of the time
            while (pipeline.runner.unacknowledged() > 0 && !pipeline.runner.hasShutDown() && !pipeline.halted()
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if ((pipeline.processor.getSequence().get() < published || pipeline.runner.unacknowledged() > 0)
                    && !pipeline.halted()) {
                LOG.warn("Handler '{}' did not finish its backlog within {} ({} message(s) delivered and not "
                                + "acknowledged); it is stopped and will be delivered the rest again on the next start",
                        pipeline.runner.displayName(), timeout, pipeline.runner.unacknowledged());
            }
        }
        for (Pipeline pipeline : pipelines) {
            if (pipeline.processor != null) {
                pipeline.runner.halt();
                pipeline.processor.halt();
            }
        }
        for (Pipeline pipeline : pipelines) {
            Thread thread = pipeline.handlerThread;
            if (thread == null) {
                continue;
            }
            join(thread, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            if (thread.isAlive()) {
                thread.interrupt();
                join(thread, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                if (thread.isAlive()) {
                    errorHandler.onError(new IllegalStateException("Handler thread " + thread.getName()
                            + " did not stop: its handler is blocked. It acknowledges nothing more."));
                }
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private static void join(Thread thread, long deadlineNanos) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class LoggingExceptionHandler implements ExceptionHandler<MessageEvent> {
        private final String handler;
        private final ErrorHandler errorHandler;

        LoggingExceptionHandler(String handler, ErrorHandler errorHandler) {
            this.handler = handler;
            this.errorHandler = errorHandler;
        }

        @Override
        public void handleEventException(Throwable ex, long sequence, MessageEvent event) {
            errorHandler.onError(new IllegalStateException("Handler '" + handler + "' dispatch failed at ring sequence "
                    + sequence, ex));
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            errorHandler.onError(ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            errorHandler.onError(ex);
        }
    }
}
