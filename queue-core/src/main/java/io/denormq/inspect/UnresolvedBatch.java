package io.denormq.inspect;

import java.time.Instant;
import java.util.Objects;

/**
 * A transaction's batch journaled before its commit whose outcome (release or rollback) the
 * journal does not hold yet: a transaction in flight, or, if no queue runs, one whose process
 * stopped between before-commit and after-completion. The next start releases it.
 *
 * @param journalIndex the batch's journal index
 * @param writtenAt    when it was journaled
 * @param messageCount how many messages it holds
 */
public record UnresolvedBatch(long journalIndex, Instant writtenAt, int messageCount) {
    /**
     * @param journalIndex the journal index
     * @param writtenAt    when it was journaled
     * @param messageCount its messages
     */
    public UnresolvedBatch {
        Objects.requireNonNull(writtenAt, "writtenAt");
    }
}
