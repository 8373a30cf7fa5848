package io.denormq.tx.spring.boot;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.util.unit.DataSize;

import io.denormq.DenormQueueBuilder;
import io.denormq.Durability;
import io.denormq.RetryPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code denormq.*} properties of a Spring Boot application. Only {@code denormq.journal-dir}
 * is required; every other property has the same default as {@link DenormQueueBuilder}.
 *
 * <pre>
 * denormq.journal-dir=/var/lib/orders/denormq
 * denormq.durability=write-ahead        # or after-commit
 * denormq.flush.policy=none             # or periodic (with denormq.flush.interval) or every-commit
 * denormq.retry.max-attempts=10
 * </pre>
 */
@ConfigurationProperties(prefix = "denormq")
public class DenormqProperties {
    /** Whether the auto-configuration creates a queue at all. */
    private boolean enabled = true;
    /** The journal directory (created if missing). One process at a time may use it. */
    private Path journalDir;
    /** When a transaction's messages are journaled: before the database commit, or after it. */
    private Durability durability = Durability.WRITE_AHEAD;
    private final Flush flush = new Flush();
    private final Retry retry = new Retry();
    private final Health health = new Health();
    private final Observation observation = new Observation();
    /** The largest payload accepted, in bytes. */
    private int maxPayloadBytes = DenormQueueBuilder.DEFAULT_MAX_PAYLOAD_BYTES;
    /** Capacity of the dispatch ring between the journal reader and the handlers; a power of two. */
    private int ringSize = DenormQueueBuilder.DEFAULT_RING_SIZE;
    /** How long closing the queue waits for handlers to finish what was already released. */
    private Duration shutdownTimeout = DenormQueueBuilder.DEFAULT_SHUTDOWN_TIMEOUT;
    /** How the dispatch threads wait for work: backoff (shared machines) or busy-spin (lowest latency). */
    private io.denormq.IdleMode idleMode = io.denormq.IdleMode.BACKOFF;
    /** How long a daily journal file is kept at least, once every handler is past it. */
    private Duration retention = DenormQueueBuilder.DEFAULT_RETENTION;
    /**
     * Space kept on the journal's file system for release/rollback records and dead letters; new
     * batches cannot use it, so transactions already journaled can record their outcome on a full disk.
     */
    private DataSize reservedSpace = DataSize.ofBytes(io.denormq.DenormQueueBuilder.DEFAULT_RESERVED_SPACE_BYTES);
    /** Free space of the journal's file system under which a WARN is logged and the health indicator is DOWN. */
    private DataSize lowSpaceWarning = DataSize.ofBytes(io.denormq.DenormQueueBuilder.DEFAULT_LOW_SPACE_WARNING_BYTES);

    /** @return the space reserve for completion records */
    public DataSize getReservedSpace() {
        return reservedSpace;
    }

    /** @param reservedSpace the space reserve for completion records, 64KB to 1GB */
    public void setReservedSpace(DataSize reservedSpace) {
        this.reservedSpace = reservedSpace;
    }

    /** @return the free-space warning threshold */
    public DataSize getLowSpaceWarning() {
        return lowSpaceWarning;
    }

    /** @param lowSpaceWarning the free-space warning threshold */
    public void setLowSpaceWarning(DataSize lowSpaceWarning) {
        this.lowSpaceWarning = lowSpaceWarning;
    }

    /** @return whether the queue is created */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the queue is created */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the journal directory, null if not set */
    public Path getJournalDir() {
        return journalDir;
    }

    /** @param journalDir the journal directory */
    public void setJournalDir(Path journalDir) {
        this.journalDir = journalDir;
    }

    /** @return the durability mode */
    public Durability getDurability() {
        return durability;
    }

    /** @param durability the durability mode */
    public void setDurability(Durability durability) {
        this.durability = durability;
    }

    /** @return the flush settings */
    public Flush getFlush() {
        return flush;
    }

    /** @return the retry settings */
    public Retry getRetry() {
        return retry;
    }

    /** @return the health-indicator settings */
    public Health getHealth() {
        return health;
    }

    /** @return the observation settings */
    public Observation getObservation() {
        return observation;
    }

    /** @return the payload limit in bytes */
    public int getMaxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** @param maxPayloadBytes the payload limit in bytes */
    public void setMaxPayloadBytes(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** @return the ring capacity */
    public int getRingSize() {
        return ringSize;
    }

    /** @param ringSize the ring capacity, a power of two */
    public void setRingSize(int ringSize) {
        this.ringSize = ringSize;
    }

    /** @return the shutdown timeout */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /** @param shutdownTimeout the shutdown timeout */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** @return how the dispatch threads wait */
    public io.denormq.IdleMode getIdleMode() {
        return idleMode;
    }

    /** @param idleMode how the dispatch threads wait */
    public void setIdleMode(io.denormq.IdleMode idleMode) {
        this.idleMode = idleMode;
    }

    /** @return the journal's retention */
    public Duration getRetention() {
        return retention;
    }

    /** @param retention the journal's retention */
    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    /** The names of the flush policies, as written in properties. */
    public enum FlushPolicyName {
        /** {@link io.denormq.FlushPolicy#none()} */
        NONE,
        /** {@link io.denormq.FlushPolicy#periodic(Duration)} with {@code denormq.flush.interval} */
        PERIODIC,
        /** {@link io.denormq.FlushPolicy#everyCommit()} */
        EVERY_COMMIT
    }

    /** {@code denormq.flush.*}: when journal appends are forced to the disk. */
    public static class Flush {
        /** none (survives a process crash), periodic, or every-commit (survives a machine crash). */
        private FlushPolicyName policy = FlushPolicyName.NONE;
        /** Time between flushes of the periodic policy. */
        private Duration interval = Duration.ofMillis(100);

        /** @return the policy */
        public FlushPolicyName getPolicy() {
            return policy;
        }

        /** @param policy the policy */
        public void setPolicy(FlushPolicyName policy) {
            this.policy = policy;
        }

        /** @return the periodic interval */
        public Duration getInterval() {
            return interval;
        }

        /** @param interval the periodic interval */
        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** {@code denormq.retry.*}: how a failing handler is retried before its message is dead-lettered. */
    public static class Retry {
        /** Attempts per message, the first included. */
        private int maxAttempts = RetryPolicy.DEFAULT_MAX_ATTEMPTS;
        /** Wait after the first failure; doubled after each further one. */
        private Duration initialBackoff = RetryPolicy.DEFAULT_INITIAL_BACKOFF;
        /** The longest wait between two attempts. */
        private Duration maxBackoff = RetryPolicy.DEFAULT_MAX_BACKOFF;

        /** @return attempts per message */
        public int getMaxAttempts() {
            return maxAttempts;
        }

        /** @param maxAttempts attempts per message */
        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** @return the first backoff */
        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        /** @param initialBackoff the first backoff */
        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        /** @return the longest backoff */
        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        /** @param maxBackoff the longest backoff */
        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /** {@code denormq.health.*}: when the Actuator health indicator reports the queue as down. */
    public static class Health {
        /** A handler whose oldest unprocessed message is older than this makes the queue DOWN. */
        private Duration maxLag = Duration.ofMinutes(5);

        /** @return the largest tolerated lag */
        public Duration getMaxLag() {
            return maxLag;
        }

        /** @param maxLag the largest tolerated lag */
        public void setMaxLag(Duration maxLag) {
            this.maxLag = maxLag;
        }
    }

    /**
     * {@code denormq.observation.*}: whether the queue joins the application's observations (read by the
     * auto-configuration's condition; declared here so that IDEs and the configuration metadata know it).
     */
    public static class Observation {
        /**
         * With an {@code ObservationRegistry} bean, run publishing and handling in observations (traces
         * across the commit).
         */
        private boolean enabled = true;

        /** @return whether the queue is observed */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the queue is observed */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
