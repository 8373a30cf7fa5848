package io.denormq;

import java.time.Duration;
import java.util.Objects;

/**
 * When journal appends are forced to the disk (msync).
 *
 * <p>Every append survives a crash of the process as soon as it returns, because the journal is
 * memory-mapped and its pages belong to the operating system. Surviving a crash of the machine
 * (power loss, kernel panic) needs the pages on the disk, which costs a flush of roughly
 * 150&ndash;250&nbsp;&micro;s on ordinary SSDs. Instances are immutable.
 */
public final class FlushPolicy {
    /** The kinds of flush policy. */
    public enum Kind {
        /** Never flush explicitly: the operating system writes pages back in its own time. */
        NONE,
        /** A background thread flushes the journal at a fixed interval. */
        PERIODIC,
        /** Every commit waits until its journal record is on the disk. */
        EVERY_COMMIT
    }

    private static final FlushPolicy NONE = new FlushPolicy(Kind.NONE, Duration.ZERO);
    private static final FlushPolicy EVERY_COMMIT = new FlushPolicy(Kind.EVERY_COMMIT, Duration.ZERO);

    private final Kind kind;
    private final Duration interval;

    private FlushPolicy(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    /**
     * The default: survives a crash of the process, not of the machine. Adds nothing to a commit.
     *
     * @return the policy that never flushes explicitly
     */
    public static FlushPolicy none() {
        return NONE;
    }

    /**
     * A background thread flushes the journal every {@code interval}: a machine crash loses at most
     * the messages of the last interval. Adds nothing to a commit.
     *
     * @param interval time between flushes, at least 1 ms
     * @return the periodic policy
     * @throws ConfigurationException if the interval is null, or shorter than 1 ms
     */
    public static FlushPolicy periodic(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new ConfigurationException("flush: periodic interval must be at least 1 ms, was " + interval);
        }
        return new FlushPolicy(Kind.PERIODIC, interval);
    }

    /**
     * A commit does not return before its journal record is on the disk: survives a machine crash.
     * Concurrent commits share flushes (group commit): a commit waits for a flush that started
     * after its record was written, so under load one flush serves every commit appended while the
     * previous one ran. A flush is an msync of what was appended since the previous flush (the first
     * flush of a day's file forces the whole file). In {@link Durability#WRITE_AHEAD} the flush
     * happens before the database commit; in {@link Durability#AFTER_COMMIT} after it.
     *
     * @return the policy that flushes on every commit
     */
    public static FlushPolicy everyCommit() {
        return EVERY_COMMIT;
    }

    /** @return which kind of policy this is */
    public Kind kind() {
        return kind;
    }

    /** @return the flush interval of a {@link Kind#PERIODIC} policy, zero for the others */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlushPolicy other && kind == other.kind && interval.equals(other.interval);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.PERIODIC ? "periodic(" + interval + ")" : kind == Kind.NONE ? "none" : "everyCommit";
    }
}
