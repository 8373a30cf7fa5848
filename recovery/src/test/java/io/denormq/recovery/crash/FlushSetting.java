package io.denormq.recovery.crash;

import java.time.Duration;

import io.denormq.FlushPolicy;

/**
 * The flush policies the harness runs under, by a name that can be passed to a child JVM. All of
 * them must survive a crash of the process: what they add (msync) matters only when the machine
 * dies, which a {@code kill -9} does not simulate. The harness runs them all anyway, because each
 * puts the flush at another place relative to the commit.
 */
enum FlushSetting {
    /** No explicit flush. */
    NONE("none", FlushPolicy.none()),
    /** A background thread flushes every 10 ms, concurrently with the appends. */
    PERIODIC("periodic", FlushPolicy.periodic(Duration.ofMillis(10))),
    /** A flush in every commit, before the database commit in {@code WRITE_AHEAD}. */
    EVERY_COMMIT("everyCommit", FlushPolicy.everyCommit());

    private final String label;
    private final FlushPolicy policy;

    FlushSetting(String label, FlushPolicy policy) {
        this.label = label;
        this.policy = policy;
    }

    FlushPolicy policy() {
        return policy;
    }

    @Override
    public String toString() {
        return label;
    }
}
