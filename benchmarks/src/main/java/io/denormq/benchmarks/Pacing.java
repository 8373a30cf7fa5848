package io.denormq.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * Runs a publisher paced at a fixed rate, each operation at its intended start time. A paced publisher
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

    /** One step of a paced run, given its number. */
    @FunctionalInterface
    interface Step {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code step} for 0 .. total - 1, step i at its {@link #intendedStart intended start}. Paced
     * by intended start: a stall delays the steps after it instead of hiding from their latencies.
     *
     * @param start   step 0's intended start, in {@link System#nanoTime()} terms
     * @param rate    steps per second
     * @param total   how many steps
     * @param warmup  steps not counted in the result
     * @param step    what each step does
     * @return how late the latest step from {@code warmup} on started, in nanoseconds
     * @throws Exception from a step
     */
    static long run(long start, int rate, int total, int warmup, Step step) throws Exception {
        long maxBehind = 0;
        for (int i = 0; i < total; i++) {
            long behind = waitUntil(intendedStart(start, rate, i));
            if (i >= warmup) {
                maxBehind = Math.max(maxBehind, behind);
            }
            step.run(i);
        }
        return maxBehind;
    }

    /** @return when step {@code i} of a run paced at {@code rate} from {@code start} is meant to start */
    static long intendedStart(long start, int rate, int i) {
        return start + (long) (i * (1e9 / rate));
    }

    /**
     * @param intended the intended start, in {@link System#nanoTime()} terms
     * @return how late the caller is when it returns, in nanoseconds
     */
    private static long waitUntil(long intended) {
        long now = System.nanoTime();
        while (intended - now > PARK_THRESHOLD_NANOS) {
            LockSupport.parkNanos(intended - now - SPIN_MARGIN_NANOS);
            now = System.nanoTime();
        }
        while (now < intended) {
            // a yield, not a spin: at 10 000 steps/s and more the whole gap is spent here, and a publisher
            // spinning on one of two cores kept a woken reader or handler queued behind it for milliseconds
            Thread.yield();
            now = System.nanoTime();
        }
        return now - intended;
    }
}
