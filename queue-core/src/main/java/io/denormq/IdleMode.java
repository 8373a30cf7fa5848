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
     * microseconds; each park still ends after 200 µs, for the waits nothing wakes (a full ring).
     */
    BACKOFF,
    /**
     * Never park: the reader and every handler thread spin on a core each, all the time. The lowest
     * latency from commit to handler, for machines with cores to spare; on a machine with fewer
     * cores than dispatch threads it starves everything else.
     */
    BUSY_SPIN
}
