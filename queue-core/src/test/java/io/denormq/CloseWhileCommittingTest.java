package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/**
 * A queue closed while one of its transactions is between its before-commit step and its outcome
 * (the database commit still running) must not let another queue on the same directory release that
 * batch before the commit finished.
 */
class CloseWhileCommittingTest extends QueueTestSupport {

    /** A queue whose one transaction is in its database commit, its batch journaled, until {@link #finish}. */
    private record InDatabaseCommit(DenormQueue queue, CountDownLatch finish, Thread committer) {
        /** Lets the database commit return after {@code nanos}, from another thread. */
        void finishAfter(long nanos) {
            new Thread(() -> {
                LockSupport.parkNanos(nanos);
                finish.countDown();
            }).start();
        }
    }

    private InDatabaseCommit queueInDatabaseCommit(Duration shutdownTimeout, Recorder recorder) throws InterruptedException {
        DenormQueue queue = builder().shutdownTimeout(shutdownTimeout).handler("h", recorder).build();
        CountDownLatch inDatabaseCommit = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread committer = new Thread(() -> {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("t", "k", utf8("committing"));
                tx.commit(() -> { // the batch is journaled; this is the database's commit call
                    inDatabaseCommit.countDown();
                    finish.await();
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "committer");
        committer.start();
        assertThat(inDatabaseCommit.await(30, TimeUnit.SECONDS)).isTrue();
        return new InDatabaseCommit(queue, finish, committer);
    }

    @Test
    void shouldKeepTheJournalLockedUntilACommitStillRunningAtCloseCompletes() throws Exception {
        Recorder first = new Recorder();
        InDatabaseCommit committing = queueInDatabaseCommit(Duration.ofMillis(200), first);

        committing.queue().close(); // gives up waiting after 200 ms: the commit is still running
        Recorder second = new Recorder();
        assertThatThrownBy(() -> builder().handler("h", second).build())
                .as("another queue on the directory while a commit of the closed one still runs")
                .isInstanceOf(JournalLockedException.class);
        assertThat(second.payloads()).isEmpty();

        committing.finish().countDown();
        committing.committer().join(TimeUnit.SECONDS.toMillis(30));
        DenormQueue next = open(builder().handler("h", second));
        awaitProcessed(next);
        assertThat(first.payloads()).isEmpty();
        assertThat(second.payloads()).as("released once its commit finished").containsExactly("committing");
        assertThat(next.stats().unresolvedBatches()).isZero();
    }

    @Test
    void shouldWaitForACommittingTransactionBeforeDraining() throws Exception {
        Recorder recorder = new Recorder();
        InDatabaseCommit committing = queueInDatabaseCommit(Duration.ofSeconds(30), recorder);
        committing.finishAfter(TimeUnit.MILLISECONDS.toNanos(200));

        committing.queue().close();
        committing.committer().join(TimeUnit.SECONDS.toMillis(30));
        assertThat(recorder.payloads()).as("delivered before close returned").containsExactly("committing");
    }

    @Test
    void shouldDeliverACommitThatEndsJustAsCloseBeginsEveryTime() throws Exception {
        // The reader stopped when close() asked it to drain right after a read that had found nothing,
        // even if that read ran before the commit's release was appended: 2 and 4 of these 300 closes
        // returned without the delivery (nothing lost from the journal: it came on the next start). Busy
        // threads make the reader lose its core between that read and its check of the request, as on a
        // loaded machine.
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] busy = new Thread[3];
        for (int i = 0; i < busy.length; i++) {
            busy[i] = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            }, "busy-" + i);
            busy[i].setDaemon(true);
            busy[i].start();
        }
        int undelivered = 0;
        int closes = 300;
        try {
            for (int close = 0; close < closes; close++) {
                Recorder recorder = new Recorder();
                InDatabaseCommit committing = queueInDatabaseCommit(Duration.ofSeconds(30), recorder);
                committing.finishAfter((close % 20) * 50_000L); // 0 to 1 ms after close() begins
                committing.queue().close();
                committing.committer().join(TimeUnit.SECONDS.toMillis(30));
                if (recorder.payloads().size() != 1) {
                    undelivered++;
                }
            }
        } finally {
            stop.set(true);
        }
        assertThat(undelivered).as("closes that returned before the committing transaction's message was delivered, of "
                + closes).isZero();
    }
}
