package io.denormq;

/**
 * Another queue, in this process or another one, holds the journal directory. Only one queue may
 * own a journal directory at a time; the message names the holder's process id when it is known.
 */
public final class JournalLockedException extends JournalException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the directory, the holder and what to do
     */
    public JournalLockedException(String message) {
        super(message);
    }
}
