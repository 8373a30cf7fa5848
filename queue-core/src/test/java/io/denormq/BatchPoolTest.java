package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.denormq.internal.journal.Journal;
import io.denormq.internal.journal.RecordBuffer;
import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;
import org.junit.jupiter.api.Test;

/**
 * The transaction batches shared by every publishing thread: a batch is never held by two
 * transactions at once, a thread's first transaction takes one that another thread gave back, and a
 * batch whose transaction was completed by another thread (a JTA reaper) is never handed out again.
 */
class BatchPoolTest extends QueueTestSupport {

    @Test
    void shouldNeverHandOneBatchToTwoHoldersAtOnce() throws Exception {
        BatchPool pool = new BatchPool();
        int threads = 8;
        int rounds = 200_000;
        Map<PendingBatch, AtomicReference<Thread>> holders = new IdentityHashMap<>();
        List<PendingBatch> batches = new ArrayList<>();
        for (int i = 0; i < BatchPool.SLOTS; i++) {
            PendingBatch batch = new PendingBatch(null, new RecordBuffer(Journal.MAX_RECORD_BYTES));
            batches.add(batch);
            holders.put(batch, new AtomicReference<>());
            pool.offer(batch);
        }
        assertThat(pool.size()).isEqualTo(BatchPool.SLOTS);
        AtomicInteger doubleHeld = new AtomicInteger();
        AtomicInteger foreign = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    PendingBatch batch = pool.take();
                    if (batch == null) {
                        continue; // every batch held by the others: a caller would make a new one
                    }
                    AtomicReference<Thread> holder = holders.get(batch);
                    if (holder == null) {
                        foreign.incrementAndGet();
                        continue;
                    }
                    if (!holder.compareAndSet(null, Thread.currentThread())) {
                        doubleHeld.incrementAndGet(); // forbidden: someone else holds it now
                        continue;
                    }
                    Thread.onSpinWait();
                    holder.set(null); // released before it goes back, as afterCompletion does
                    pool.offer(batch);
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(doubleHeld.get()).as("takes of a batch another thread held").isZero();
        assertThat(foreign.get()).as("batches that were never offered").isZero();
        assertThat(pool.size()).as("every batch back in the pool, none lost or duplicated").isEqualTo(BatchPool.SLOTS);
        List<PendingBatch> drained = new ArrayList<>();
        for (PendingBatch batch; (batch = pool.take()) != null; ) {
            drained.add(batch);
        }
        assertThat(drained).containsExactlyInAnyOrderElementsOf(batches);
    }

    @Test
    void shouldGiveANewThreadTheBatchAnotherThreadGaveBack() throws Exception {
        TransactionSemanticsTest.ManualBinding binding = new TransactionSemanticsTest.ManualBinding();
        DenormQueue queue = open(builder().transactions(binding).handler("h", new Recorder()));
        TransactionParticipant first = transactionOnNewThread(queue, binding);
        TransactionParticipant second = transactionOnNewThread(queue, binding);
        assertThat(second).as("the second thread's batch").isSameAs(first);
        awaitProcessed(queue);
    }

    @Test
    void shouldNotReuseABatchWhoseTransactionAnotherThreadCompleted() throws Exception {
        TransactionSemanticsTest.ManualBinding binding = new TransactionSemanticsTest.ManualBinding();
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().transactions(binding).handler("h", recorder));
        binding.begin();
        queue.publish("t", "k", utf8("timed-out"));
        TransactionParticipant timedOut = binding.participant;
        // the transaction manager's reaper rolls it back while this thread is still in it
        Thread reaper = new Thread(() -> timedOut.afterCompletion(TransactionOutcome.ROLLED_BACK));
        reaper.start();
        reaper.join();
        assertThatThrownBy(() -> queue.publish("t", "k", utf8("late"))).isInstanceOf(IllegalStateException.class);
        binding.end();

        binding.begin();
        queue.publish("t", "k", utf8("next"));
        TransactionParticipant next = binding.participant;
        assertThat(next).as("a batch its own thread may still reach").isNotSameAs(timedOut);
        next.beforeCommit();
        next.afterCompletion(TransactionOutcome.COMMITTED);
        binding.end();

        binding.begin();
        queue.publish("t", "k", utf8("after"));
        assertThat(binding.participant).as("a batch completed on its own thread is reused").isSameAs(next);
        binding.participant.beforeCommit();
        binding.participant.afterCompletion(TransactionOutcome.COMMITTED);
        binding.end();
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("next", "after");
    }

    /** One committed transaction with one message on a thread of its own; returns its participant. */
    private static TransactionParticipant transactionOnNewThread(DenormQueue queue,
                                                                 TransactionSemanticsTest.ManualBinding binding)
            throws InterruptedException {
        AtomicReference<TransactionParticipant> participant = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                binding.begin();
                queue.publish("t", "k", utf8("m"));
                participant.set(binding.participant);
                binding.participant.beforeCommit();
                binding.participant.afterCompletion(TransactionOutcome.COMMITTED);
                binding.end();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        thread.start();
        thread.join();
        assertThat(failure.get()).isNull();
        return participant.get();
    }
}
