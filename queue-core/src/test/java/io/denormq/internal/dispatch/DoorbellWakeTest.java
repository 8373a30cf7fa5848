package io.denormq.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import io.denormq.internal.journal.CheckpointFile;
import io.denormq.internal.journal.Doorbell;
import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.JournalRecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parked dispatch thread is woken by the work meant for it, not by its park's timeout: the parks
 * here last a minute, so each test would take that long (and fail its bound) if nothing rang.
 */
class DoorbellWakeTest {
    private static final long A_MINUTE = TimeUnit.MINUTES.toNanos(1);

    @TempDir
    Path directory;

    @Test
    void anAppendWakesAParkedReader() throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, false);
            journal.wakeOnProgress(idle.doorbell());
            long before = journal.progressMark();
            CompletableFuture<Long> parked = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                while (System.nanoTime() - start < A_MINUTE) {
                    idle.beforeRead();
                    if (journal.progressMark() != before) { // what a read would find
                        return System.nanoTime() - start;
                    }
                    idle.idle(); // after the spins and yields, parks for up to a minute
                }
                return -1L;
            });
            Thread.sleep(200); // long past the spins and yields: the reader is parked
            journal.append(new byte[] {JournalRecordDescriptor.KIND_RELEASE, 0, 0, 0, 0, 0, 0, 0}, 8);
            assertThat(parked.get(30, TimeUnit.SECONDS)).isBetween(0L, TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void aDurableReaderThatJustReadRecordsLooksAgainWithoutBeingRung() throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            journal.readOnlyDurable();
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, TimeUnit.MILLISECONDS.toNanos(5), false);
            idle.idle(); // returns at once (no mark noted yet); from now on it notes one before each read
            idle.beforeRead();
            idle.reset(); // its last wake-up read something: under load the next flush is near
            idle.beforeRead();
            long start = System.nanoTime();
            idle.idle(); // nothing appends or flushes: only the poll interval ends this
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void aDurableReaderThatFoundNothingSleepsUntilAFlushRingsIt() throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            journal.readOnlyDurable();
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, TimeUnit.MILLISECONDS.toNanos(5), false);
            journal.wakeOnProgress(idle.doorbell());
            idle.reset();
            long before = journal.progressMark();
            CompletableFuture<Long> sleeping = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                long durable = journal.durableIndex();
                while (System.nanoTime() - start < A_MINUTE) {
                    idle.beforeRead();
                    if (journal.durableIndex() != durable) { // what a read of durable records would find
                        return System.nanoTime() - start;
                    }
                    idle.idle(); // one poll finds nothing; then it sleeps for up to a minute unless rung
                }
                return -1L;
            });
            Thread.sleep(200); // long past the poll: the reader sleeps on its doorbell
            assertThat(journal.progressMark()).isEqualTo(before);
            journal.append(new byte[] {JournalRecordDescriptor.KIND_RELEASE, 0, 0, 0, 0, 0, 0, 0}, 8);
            Thread.sleep(50); // an append alone does not ring a reader of durable records
            assertThat(sleeping).isNotDone();
            journal.forceAll();
            assertThat(sleeping.get(30, TimeUnit.SECONDS)).isBetween(0L, TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void stoppingWakesASleepingReader() throws Exception {
        Path journalDirectory = directory;
        try (Journal journal = Journal.open(journalDirectory, false);
             CheckpointFile checkpoint = CheckpointFile.openOrCreate(journalDirectory)) {
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, false);
            ReleaseReader reader = readerWithoutHandler(journal, checkpoint, idle);
            Thread thread = new Thread(reader, "reader-under-test");
            thread.start();
            while (!reader.hasCaughtUp()) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // long past the spins and yields: the reader sleeps for up to a minute
            reader.stop();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("the reader still sleeps after stop()").isFalse();
        }
    }

    @Test
    void stoppingWakesAReaderWhateverMomentItComes() throws Exception {
        // a stop that came between the reader's last look at its flag and its announcement on a doorbell
        // must still wake it: each round would take a minute
        Path journalDirectory = directory;
        try (Journal journal = Journal.open(journalDirectory, false);
             CheckpointFile checkpoint = CheckpointFile.openOrCreate(journalDirectory)) {
            for (int round = 0; round < 3_000; round++) {
                ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, false);
                ReleaseReader reader = readerWithoutHandler(journal, checkpoint, idle);
                Thread thread = new Thread(reader, "reader-under-test");
                thread.start();
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
                if ((round & 1) == 0) {
                    reader.stop();
                } else {
                    reader.drainAndStop();
                }
                thread.join(TimeUnit.SECONDS.toMillis(30));
                journal.stopWaking(idle.doorbell());
                assertThat(thread.isAlive()).as("round %d: the reader still sleeps after it was stopped", round).isFalse();
            }
        }
    }

    /** A reader rung by the journal's appends, publishing to a ring that no handler takes from. */
    private static ReleaseReader readerWithoutHandler(Journal journal, CheckpointFile checkpoint, ReaderIdle idle) {
        journal.wakeOnProgress(idle.doorbell());
        RingBuffer<MessageEvent> ring = RingBuffer.createSingleProducer(() -> new MessageEvent(16), 16);
        return new ReleaseReader(journal, new LowWaterMarks(checkpoint, 1), 0, null, 0, 1, "no handler", ring, -1, -1,
                -1, false, idle, Throwable::printStackTrace);
    }

    @Test
    void aHandlerWithMessagesInFlightIsCalledAgainWithoutAPublication() throws Exception {
        RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 16,
                new HandlerWaitStrategy(0, A_MINUTE, false, () -> true, new Doorbell()));
        SequenceBarrier barrier = ring.newBarrier();
        // the processor turns each timeout into the handler's onTimeout call (retries, acknowledgement
        // hints) and waits again: after the first, each wait sleeps until the next call is due
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            int timeouts = 0;
            while (timeouts < 3) {
                try {
                    barrier.waitFor(0);
                    return -1;
                } catch (com.lmax.disruptor.TimeoutException e) {
                    timeouts++;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return timeouts;
        });
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void anAlertWakesAHandlerWhateverMomentItComes() throws Exception {
        // a halt alerts the barrier and rings; an alert that came between the handler's last look at the
        // flag and its announcement on the doorbell must still wake it: each round would take a minute
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 20_000; round++) {
                RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 16,
                        new HandlerWaitStrategy(0, A_MINUTE, false, () -> false, new Doorbell()));
                SequenceBarrier barrier = ring.newBarrier();
                CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.waitFor(0);
                        return false;
                    } catch (AlertException halted) {
                        return true;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, thread);
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50_000));
                barrier.alert();
                assertThat(waiting.get(30, TimeUnit.SECONDS)).as("round %d: alerted", round).isTrue();
            }
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aPublicationWakesAParkedHandler() throws Exception {
        RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 16,
                new HandlerWaitStrategy(10, A_MINUTE, false, () -> false, new Doorbell()));
        SequenceBarrier barrier = ring.newBarrier();
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return barrier.waitFor(0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // past the yields: the handler is parked
        ring.publish(ring.next());
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(0L);
    }

    @Test
    void aHandlerComingBackForMoreWakesAReaderWaitingForRoom() throws Exception {
        try (Journal journal = Journal.open(directory, false)) {
            ReaderIdle idle = new ReaderIdle(journal, A_MINUTE, A_MINUTE, 0, false);
            RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 16,
                    new HandlerWaitStrategy(10, A_MINUTE, false, () -> false, idle.roomDoorbell()));
            Sequence handled = new Sequence();
            ring.addGatingSequences(handled);
            SequenceBarrier barrier = ring.newBarrier();
            for (int i = 0; i < 16; i++) {
                ring.publish(ring.next());
            }
            BooleanSupplier roomShort = () -> ring.remainingCapacity() < 4;
            // threads of its own: both run at once, and the common pool may have a single thread on 2 cores
            ExecutorService threads = Executors.newFixedThreadPool(2);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                while (roomShort.getAsBoolean()) {
                    idle.waitForRoom(roomShort);
                }
            }, threads);
            Thread.sleep(200); // long past the spins: the reader sleeps for up to a minute
            assertThat(reader).isNotDone();

            // the handler thread's event processor: takes what is there, stores how far it got, asks for more
            CompletableFuture<Void> handler = CompletableFuture.runAsync(() -> {
                try {
                    handled.set(barrier.waitFor(0));
                    barrier.waitFor(handled.get() + 1);
                } catch (AlertException stopped) {
                    // the test is over
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            try {
                reader.get(30, TimeUnit.SECONDS);
                barrier.alert();
                handler.get(30, TimeUnit.SECONDS);
            } finally {
                barrier.alert();
                threads.shutdownNow();
            }
        }
    }
}
