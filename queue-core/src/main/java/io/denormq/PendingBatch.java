package io.denormq;

import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.internal.journal.RecordBuffer;
import io.denormq.tx.TransactionOutcome;
import io.denormq.tx.TransactionParticipant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction's messages for one queue: built in memory while the transaction runs, journaled
 * at commit according to the queue's {@link Durability}, then released or discarded. Used by the
 * transaction's thread only (a transaction manager may complete it on another); taken from the
 * queue's {@link BatchPool} and given back to it when the transaction has completed.
 */
final class PendingBatch implements TransactionParticipant {
    private static final Logger LOG = LoggerFactory.getLogger(PendingBatch.class);
    private static final long NOT_JOURNALED = -1;

    private final PublishPath publishing;
    private final RecordBuffer record;
    private long batchIndex = NOT_JOURNALED;
    private boolean sealed;
    /** Volatile: a JTA transaction manager may complete the transaction on its reaper thread. */
    private volatile boolean completed;
    /** Counted by the queue between the before-commit step and the outcome. */
    private boolean committing;
    /**
     * The thread whose transaction this batch belongs to; null once it went back to the pool. Only
     * that thread gives the batch back: a transaction completed on another thread (a JTA reaper's
     * rollback) leaves it to the garbage collector, since its own thread may still be publishing
     * into it and must never reach a batch that another transaction took from the pool.
     */
    private Thread owner;

    PendingBatch(PublishPath publishing, RecordBuffer record) {
        this.publishing = publishing;
        this.record = record;
        this.owner = Thread.currentThread();
    }

    /**
     * Readies a completed batch from the queue's pool for a transaction of the calling thread, so that
     * a transaction allocates nothing on the publish path.
     */
    void reuse() {
        record.startBatch();
        batchIndex = NOT_JOURNALED;
        committing = false;
        sealed = false;
        owner = Thread.currentThread();
        // last, and volatile: a thread that completes this transaction reads it first, and so sees the owner
        completed = false;
    }

    /**
     * @return whether the calling thread may give this batch back to the pool (it is the batch's
     *         owner), after which the batch is no longer its own
     */
    boolean disown() {
        if (owner != Thread.currentThread()) {
            return false;
        }
        owner = null; // a pooled batch keeps no ended thread reachable
        return true;
    }

    RecordBuffer record() {
        return record;
    }

    boolean belongsTo(PublishPath candidate) {
        return publishing == candidate;
    }

    void add(byte[] topic, String key, byte[] payload, int offset, int length, Headers headers) {
        if (sealed || completed) {
            throw new IllegalStateException("Cannot publish into a transaction that is already "
                    + (completed ? "completed" : "committing (its before-commit phase has run)")
                    + "; publish before the commit, or outside the transaction");
        }
        record.addMessage(topic, key, payload, offset, length, headers);
        if (publishing.durability() == Durability.AFTER_COMMIT) {
            // nothing may be lost after the database committed: refuse now, while the transaction can roll back
            publishing.ensureRoomForBatch(record);
        }
    }

    @Override
    public void beforeCommit() {
        sealed = true;
        if (record.count() == 0) {
            return;
        }
        publishing.transactionCommitting(); // close() waits for this transaction's outcome before it closes the journal
        committing = true;
        if (publishing.durability() == Durability.WRITE_AHEAD) {
            long stamped = publishing.recordTime();
            record.sealBatch(JournalRecordDescriptor.KIND_BATCH, stamped);
            // known before the flush: if the flush fails, the rollback that follows is journaled for this batch
            batchIndex = publishing.appendBatch(record, stamped);
            publishing.awaitFlushed();
        } else {
            publishing.ensureRoomForBatch(record);
        }
    }

    @Override
    public void afterCompletion(TransactionOutcome outcome) {
        if (completed) {
            return;
        }
        completed = true;
        int messages = record.count();
        try {
            if (messages == 0) {
                return;
            }
            if (batchIndex != NOT_JOURNALED) {
                if (resolveJournaledBatch(outcome)) {
                    committing = false; // the release writer counts it completed once its outcome is journaled
                }
            } else if (outcome != TransactionOutcome.ROLLED_BACK) {
                releaseAfterCommit(outcome);
            }
        } catch (RuntimeException | Error e) {
            logFailure(outcome, messages, e);
        } finally {
            if (committing) {
                committing = false;
                publishing.transactionCompleted();
            }
            publishing.recycle(this);
        }
    }

    /** @return whether the release writer took the outcome over (and with it the transaction's completion) */
    private boolean resolveJournaledBatch(TransactionOutcome outcome) {
        byte kind = outcome == TransactionOutcome.ROLLED_BACK ? JournalRecordDescriptor.KIND_ROLLBACK
                : JournalRecordDescriptor.KIND_RELEASE;
        byte reason = switch (outcome) {
            case COMMITTED -> JournalRecordDescriptor.REASON_COMMITTED;
            case UNKNOWN -> JournalRecordDescriptor.REASON_UNKNOWN_OUTCOME;
            case ROLLED_BACK -> JournalRecordDescriptor.REASON_ROLLED_BACK;
        };
        if (publishing.handOverOutcome(kind, batchIndex, reason, record.count())) {
            return true;
        }
        long stamped = publishing.recordTime();
        record.outcome(kind, batchIndex, reason, stamped);
        publishing.append(record, stamped);
        return false;
    }

    private void releaseAfterCommit(TransactionOutcome outcome) {
        if (publishing.durability() == Durability.WRITE_AHEAD) {
            LOG.warn("A transaction completed ({}) without its before-commit callback having run, so its {} "
                    + "message(s) were not journaled ahead; journaling them now. Check the transaction binding "
                    + "({}).", outcome, record.count(), publishing.bindingName());
        }
        long stamped = publishing.recordTime();
        record.sealBatch(JournalRecordDescriptor.KIND_RELEASED_BATCH, stamped);
        publishing.append(record, stamped); // the transaction committed: the reserve is there for this
        publishing.awaitFlushed();
    }

    private void logFailure(TransactionOutcome outcome, int messages, Throwable e) {
        if (batchIndex != NOT_JOURNALED) {
            LOG.error("Could not write the {} record of batch {} ({} message(s)) to journal {}: {}. The batch is "
                            + "resolved on the next start (released, even if it rolled back).",
                    outcome == TransactionOutcome.ROLLED_BACK ? "rollback" : "release", Long.toHexString(batchIndex),
                    messages, publishing.directory(), e.toString(), e);
        } else {
            LOG.error("LOST: {} message(s) of a transaction that ended {} could not be journaled after its commit "
                            + "(AFTER_COMMIT durability) in {}: {}. Their read models need repair; use WRITE_AHEAD "
                            + "durability to close this window.", messages, outcome, publishing.directory(),
                    e.toString(), e);
        }
    }
}
