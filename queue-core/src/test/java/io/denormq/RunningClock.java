package io.denormq;

import java.time.Instant;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A journal clock that starts at a given instant and then runs in real time: a test sets it a
 * moment before midnight UTC to have a process cross the day rollover while it works.
 */
final class RunningClock implements TimeProvider {
    private final long startMillis;
    private final long startNanos = System.nanoTime();

    RunningClock(Instant start) {
        this.startMillis = start.toEpochMilli();
    }

    @Override
    public long currentTimeMillis() {
        return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public long currentTimeMicros() {
        return startMillis * 1_000 + (System.nanoTime() - startNanos) / 1_000;
    }

    @Override
    public long currentTimeNanos() {
        return startMillis * 1_000_000 + (System.nanoTime() - startNanos);
    }
}
