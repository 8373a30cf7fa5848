package io.denormq.internal.journal;

/**
 * Group commit for {@link io.denormq.FlushPolicy#everyCommit()}: concurrent committers share
 * flushes. A committer waits until its record is durable; when no flush running covers it and fewer
 * than {@value Journal#MAX_FLUSHES_IN_FLIGHT} run, it starts one itself, which covers every record
 * appended since the previous flush started (see {@link FlushPipeline}). Alone, a committer pays one
 * flush of its own range; under load one flush covers every commit appended while the previous one ran.
 */
public final class GroupFlush {
    private final Journal journal;

    /**
     * @param journal the journal whose files are flushed
     */
    public GroupFlush(Journal journal) {
        this.journal = journal;
    }

    /**
     * @return a ticket for an append that has just returned: the journal's last index, which is at
     *         or after that append's
     */
    public long ticket() {
        return journal.lastAppendedIndex();
    }

    /**
     * Returns once every record up to {@code ticket} is on the disk.
     *
     * @param ticket from {@link #ticket()}
     * @throws io.denormq.JournalException if the flush this committer started failed (committers that
     *                                     waited on it start another)
     */
    public void awaitFlushed(long ticket) {
        while (!journal.awaitDurable(ticket)) {
            journal.forceAllAsStarter();
        }
    }
}
