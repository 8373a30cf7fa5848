package io.denormq;

/**
 * The journal directory holds files written in a format this version of denormq cannot read
 * (a newer or older format version, or files that are not a denormq journal at all). Nothing is
 * modified; open it with the denormq version that wrote it, or point the queue at another
 * directory.
 */
public final class IncompatibleJournalException extends JournalException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the file, the version found and the version expected
     */
    public IncompatibleJournalException(String message) {
        super(message);
    }
}
