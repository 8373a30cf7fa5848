package io.denormq.inspect;

import java.time.Instant;
import java.util.Objects;

/**
 * The process that holds a journal's lock: the queue (or maintenance session) using it.
 *
 * @param pid   the holding process's id
 * @param since when it took the lock
 */
public record LockHolder(long pid, Instant since) {
    /**
     * @param pid   the process id
     * @param since when it took the lock
     */
    public LockHolder {
        Objects.requireNonNull(since, "since");
    }

    /** @return {@code pid=<pid> since=<ISO-8601 instant>}, as the journal's lock file and its errors name the holder */
    @Override
    public String toString() {
        return "pid=" + pid + " since=" + since;
    }
}
