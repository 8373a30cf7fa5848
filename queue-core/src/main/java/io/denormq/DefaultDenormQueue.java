package io.denormq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.denormq.internal.dispatch.Dispatcher;
import io.denormq.internal.dispatch.HandlerRunner;
import io.denormq.internal.journal.Journal;

/**
 * The queue, as its users see it: wires the jobs together and delegates to them. Start-up, recovery
 * and the order of closing are {@link QueueLifecycle}'s, dead letters {@link DeadLetterService}'s;
 * publishing and commits are its superclass {@link PublishPath}'s, so that they cost no extra call.
 */
final class DefaultDenormQueue extends PublishPath {
    private final FlushPolicy flushPolicy;
    private final long lowSpaceWarningBytes;
    private final QueueLifecycle lifecycle;
    private final DeadLetterService deadLetters;

    private DefaultDenormQueue(QueueSettings settings, QueueLifecycle lifecycle) {
        super(settings, lifecycle.directory(), lifecycle.journal(), lifecycle.releaseWriter());
        this.flushPolicy = settings.flushPolicy();
        this.lowSpaceWarningBytes = settings.lowSpaceWarningBytes();
        this.lifecycle = lifecycle;
        this.deadLetters = new DeadLetterService(lifecycle.directory(), lifecycle.journal(), lifecycle.dispatcher(),
                this::isClosed, settings.codec());
    }

    static DenormQueue start(QueueSettings settings) {
        return new DefaultDenormQueue(settings, QueueLifecycle.start(settings));
    }

    Journal journal() {
        return lifecycle.journal();
    }

    /** Applies retention now rather than at the next hourly run: for tests. */
    List<Path> applyRetention() {
        return lifecycle.applyRetention();
    }

    @Override
    public boolean awaitProcessed(Duration timeout) throws InterruptedException {
        awaitHandedOverOutcomes(); // a commit that returned has its release journaled before the index is taken
        return lifecycle.dispatcher().awaitProcessed(lifecycle.journal().lastIndex(), timeout);
    }

    @Override
    public List<DeadLetter> deadLetters() {
        return deadLetters.deadLetters();
    }

    @Override
    public void redrive(DeadLetter deadLetter) {
        deadLetters.redrive(deadLetter);
    }

    @Override
    public void discard(DeadLetter deadLetter) {
        deadLetters.discard(deadLetter);
    }

    @Override
    public Map<String, Long> cursors() {
        Map<String, Long> cursors = new LinkedHashMap<>();
        for (HandlerRunner runner : lifecycle.dispatcher().runners()) {
            cursors.put(runner.displayName(), runner.storedCursor());
        }
        return Collections.unmodifiableMap(cursors);
    }

    @Override
    public QueueStats stats() {
        Journal journal = lifecycle.journal();
        Dispatcher dispatcher = lifecycle.dispatcher();
        long usable = journal.usableSpace();
        return new QueueStats(lifecycle.directory().toString(), dispatcher.unresolvedBatches(),
                lifecycle.backgroundErrors(), dispatcher.handlerStats(), usable, journal.reserveBytes(), journal.isFull(),
                usable >= 0 && usable < lowSpaceWarningBytes);
    }

    @Override
    public Path journalDirectory() {
        return lifecycle.directory();
    }

    @Override
    public void close() {
        lifecycle.close(this);
    }

    @Override
    public String toString() {
        return "DenormQueue[" + lifecycle.directory() + ", " + durability() + ", flush " + flushPolicy
                + (isClosed() ? ", closed" : "") + "]";
    }
}
