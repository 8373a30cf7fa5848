package io.denormq;

/**
 * How the dispatch threads (the journal reader and one thread per handler) wait when there is
 * nothing to do: the trade between the latency from commit to handler and the CPU an idle queue
 * uses.
 */
public enum IdleMode {
    /**
     * The default, for shared machines: spin briefly, then yield, then park. A parked reader is woken
     * by the commit that appends a record for it, and a parked handler by the reader that hands it a
     * message, so an idle queue uses almost no CPU and a message reaching it is handled within
     * microseconds. A reader whose ring is full is woken by its handler once a quarter of the ring is
     * free. Only the waits nothing wakes are timed: a handler with messages in flight (retries,
     * asynchronous acknowledgements) wakes every millisecond; otherwise a park lasts until it is woken
     * (at most 100 ms).
     *
     * <p>While commits come back to back (a reader's recent waits each ended within a few spins), the
     * reader stops chasing them and reads them in batches: after each read that caught up it parks about
     * 20 µs, unrung (a short park lasts 60-130 µs on some virtual machines), and then reads everything
     * that came meanwhile. A reader that reads each record right after its append holds the cache lines
     * the committing thread writes next, which made a one-message transaction's commit two to three times
     * slower on the machines measured. Dispatch latency under such a load grows by the interval; the first
     * interval that finds nothing ends it, so sparse commits are handled within microseconds as before.
     */
    BACKOFF,
    /**
     * Never park: the reader and every handler thread spin on a core each, all the time. The lowest
     * latency from commit to handler, for machines with cores to spare; on a machine with fewer
     * cores than dispatch threads it starves everything else.
     */
    BUSY_SPIN
}
