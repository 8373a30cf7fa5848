package io.denormq.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SleepingWaitStrategy;
import io.denormq.HandlerStats;
import io.denormq.journal.CheckpointFile;
import io.denormq.journal.Journal;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the dispatch ring, the reader thread and one event-processor thread per handler.
 * Publishers never touch it: they only append to the journal, so a slow handler never slows a
 * commit. The ring is the bounded in-memory buffer between the reader and the handlers; the journal
 * is the unbounded one before it.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Handler threads spin, then yield, then sleep this long between checks when the ring is empty. */
    private static final long HANDLER_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** The reader backs off to parking this long when the journal has nothing new. */
    private static final long READER_MAX_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final RingBuffer<MessageEvent> ring;
    private final ReleaseReader reader;
    private final Thread readerThread;
    private final List<HandlerRunner> runners = new ArrayList<>();
    private final List<BatchEventProcessor<MessageEvent>> processors = new ArrayList<>();
    private final List<Thread> handlerThreads = new ArrayList<>();
    private final ErrorHandler errorHandler;


    /**
     * @param journal              the journal
     * @param checkpoint           the checkpoint file
     * @param ringSize             ring capacity, a power of two
     * @param handlers             the handlers to run
     * @param startIndex           where the reader starts
     * @param skipUpToSequence     the lowest cursor of all handlers
     * @param redeliveredUpToIndex the journal's last index before this start
     * @param errorHandler         where background failures go
     * @param busySpin             whether the threads spin rather than back off when idle
     */
    public Dispatcher(Journal journal, CheckpointFile checkpoint, int ringSize, List<HandlerRunner> handlers,
                      long startIndex, long skipUpToSequence, long redeliveredUpToIndex, ErrorHandler errorHandler,
                      boolean busySpin) {
        this.errorHandler = errorHandler;
        this.ring = RingBuffer.createSingleProducer(MessageEvent::new, ringSize,
                busySpin ? new BusySpinWaitStrategy() : new SleepingWaitStrategy(100, HANDLER_SLEEP_NANOS));
        for (HandlerRunner runner : handlers) {
            BatchEventProcessor<MessageEvent> processor = new BatchEventProcessorBuilder()
                    .build(ring, ring.newBarrier(), runner);
            processor.setExceptionHandler(new LoggingExceptionHandler(runner.displayName(), errorHandler));
            ring.addGatingSequences(processor.getSequence());
            runners.add(runner);
            processors.add(processor);
            Thread thread = new Thread(processor, "denormq-handler-" + runner.displayName());
            thread.setDaemon(true);
            handlerThreads.add(thread);
        }
        this.reader = new ReleaseReader(journal, checkpoint, ring, startIndex, skipUpToSequence, redeliveredUpToIndex,
                busySpin ? new BusySpinIdleStrategy()
                        : new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), READER_MAX_PARK_NANOS),
                errorHandler);
        this.readerThread = new Thread(reader, "denormq-reader");
        this.readerThread.setDaemon(true);
    }

    /** Starts the handler threads, then the reader. */
    public void start() {
        handlerThreads.forEach(Thread::start);
        readerThread.start();
    }

    /** @return the runners, one per handler */
    public List<HandlerRunner> runners() {
        return runners;
    }

    /**
     * Reads each handler's counters and lag from the ring's sequences. The slot after a handler's
     * sequence cannot be overwritten while that handler has not passed it (its sequence gates the
     * reader), so reading its release time from another thread is safe.
     *
     * @return one entry per handler, in registration order
     */
    public List<HandlerStats> handlerStats() {
        long published = ring.getCursor();
        long now = System.currentTimeMillis();
        List<HandlerStats> stats = new ArrayList<>(runners.size());
        for (int i = 0; i < runners.size(); i++) {
            HandlerRunner runner = runners.get(i);
            BatchEventProcessor<MessageEvent> processor = processors.get(i);
            long done = processor.getSequence().get();
            long lag = Math.max(0, published - done);
            long lagMillis = lag == 0 ? 0 : Math.max(0, now - ring.get(done + 1).releasedAtMillis);
            stats.add(new HandlerStats(runner.displayName(), runner.storedCursor(), runner.processed(), runner.retries(),
                    runner.deadLetters(), lag, lagMillis, processor.isRunning()));
        }
        return stats;
    }

    /** @return batches whose outcome the reader has not seen yet */
    public int unresolvedBatches() {
        return reader.unresolvedCount();
    }

    /**
     * Waits until every handler has processed every message released in the journal up to
     * {@code journalIndex}.
     *
     * @param journalIndex the journal index to wait for
     * @param timeout      how long to wait
     * @return true if done in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitProcessed(long journalIndex, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reader.lastReadIndex() < journalIndex && reader.isRunning()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        long published = ring.getCursor();
        for (BatchEventProcessor<MessageEvent> processor : processors) {
            Sequence sequence = processor.getSequence();
            while (sequence.get() < published && processor.isRunning()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(1);
            }
        }
        return true;
    }

    /**
     * Stops dispatching: the reader reads what the journal holds, the handlers process it, then all
     * threads stop. A handler still busy when {@code timeout} runs out is halted: what it had not
     * acknowledged is delivered again on the next start.
     *
     * @param timeout how long to wait for the handlers to drain
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        reader.drainAndStop();
        join(readerThread, deadline);
        if (readerThread.isAlive()) {
            reader.stop();
            join(readerThread, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        long published = ring.getCursor();
        for (int i = 0; i < processors.size(); i++) {
            Sequence sequence = processors.get(i).getSequence();
            while (sequence.get() < published && processors.get(i).isRunning() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (sequence.get() < published) {
                LOG.warn("Handler '{}' did not finish its backlog within {}; it is stopped and will be delivered "
                        + "the rest again on the next start", runners.get(i).displayName(), timeout);
            }
        }
        for (int i = 0; i < processors.size(); i++) {
            runners.get(i).halt();
            processors.get(i).halt();
        }
        for (Thread thread : handlerThreads) {
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
