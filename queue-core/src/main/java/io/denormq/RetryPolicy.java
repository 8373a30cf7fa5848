package io.denormq;

import java.time.Duration;
import java.util.Objects;

/**
 * How a handler that throws is retried before its message is dead-lettered. Backoff doubles after
 * each failed attempt, from {@link #initialBackoff()} up to {@link #maxBackoff()}. While a handler
 * retries, it holds back only itself: commits and other handlers go on.
 *
 * <p>The defaults ({@value #DEFAULT_MAX_ATTEMPTS} attempts, 100&nbsp;ms doubling up to 10&nbsp;s,
 * about 33&nbsp;s in all) ride out a database fail-over or a lock timeout, yet dead-letter a
 * poison message within a minute instead of stalling the read model for good.
 */
public final class RetryPolicy {
    /** Attempts (the first delivery included) before a message is dead-lettered. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** The wait after the first failure. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** The longest wait between two attempts. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    private static final RetryPolicy DEFAULTS =
            new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** @return the default policy: 10 attempts, 100 ms doubling up to 10 s */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * @param maxAttempts    attempts before dead-lettering, 1 (no retry) to 1 000 000
     * @param initialBackoff wait after the first failure, 0 to {@code maxBackoff}
     * @param maxBackoff     longest wait, at most one hour
     * @return the policy
     * @throws ConfigurationException if a value is out of range
     */
    public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1 || maxAttempts > 1_000_000) {
            throw new ConfigurationException("retry: maxAttempts must be 1..1000000, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || initialBackoff.compareTo(maxBackoff) > 0) {
            throw new ConfigurationException("retry: need 0 <= initialBackoff <= maxBackoff, was initialBackoff="
                    + initialBackoff + ", maxBackoff=" + maxBackoff);
        }
        if (maxBackoff.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigurationException("retry: maxBackoff must be at most 1 hour, was " + maxBackoff);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
    }

    /** @return attempts, the first delivery included, before a message is dead-lettered */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the wait after the first failure */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** @return the longest wait between two attempts */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * @param failedAttempts attempts that failed so far, at least 1
     * @return nanoseconds to wait before the next attempt
     */
    public long backoffNanos(int failedAttempts) {
        long initial = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        int doublings = Math.min(failedAttempts - 1, 40);
        long wait = initial << doublings;
        return wait < 0 || wait > max || (doublings > 0 && (wait >> doublings) != initial) ? max : wait;
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
                + ", maxBackoff=" + maxBackoff + "]";
    }
}
