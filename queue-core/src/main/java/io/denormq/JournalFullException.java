package io.denormq;

/**
 * The journal's file system has no room for a new batch. Thrown before anything is written and
 * before the database commits: from the before-commit step in {@link Durability#WRITE_AHEAD}, from
 * {@code publish} and the before-commit step in {@link Durability#AFTER_COMMIT}, and from a publish
 * outside a transaction. The transaction rolls back; nothing already journaled is affected, because
 * release and rollback records and dead letters are written into a reserve that new batches cannot
 * use. Publishing resumes by itself once space is freed.
 */
public class JournalFullException extends JournalException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the journal directory, the free space, the reserve, and what to do
     */
    public JournalFullException(String message) {
        super(message);
    }
}
