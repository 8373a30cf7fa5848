package io.denormq.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a message's intended start time, for publishers paced at a fixed rate. A paced publisher
 * computes each start from the schedule ({@code start + i / rate}), never from the previous
 * operation's end, so that a stall makes the following operations late instead of unrecorded
 * (coordinated omission).
 */
final class Pacing {
    /** Parking is coarse (tens of µs): park only when the start is further away than this, then spin. */
    private static final long PARK_THRESHOLD_NANOS = 100_000;
    private static final long SPIN_MARGIN_NANOS = 80_000;

    private Pacing() {
    }

    /**
     * @param intended the intended start, in {@link System#nanoTime()} terms
     * @return how late the caller is when it returns, in nanoseconds
     */
    static long waitUntil(long intended) {
        long now = System.nanoTime();
        while (intended - now > PARK_THRESHOLD_NANOS) {
            LockSupport.parkNanos(intended - now - SPIN_MARGIN_NANOS);
            now = System.nanoTime();
        }
        while (now < intended) {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        return now - intended;
    }
}
