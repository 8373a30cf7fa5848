package io.denormq.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.denormq.DeadLetter;
import io.denormq.DenormQueue;
import io.denormq.HandlerStats;
import io.denormq.inspect.JournalInspector;
import io.denormq.inspect.ReleasedMessage;

/**
 * What one handler has processed, read from the queue's public API alone: the released messages (read
 * from the journal with a {@link JournalInspector}) up to the handler's cursor, less those it gave up on.
 * A cursor passes a message only once the handler acknowledged it (for a plain handler: after
 * {@code onMessage} and {@code onCaughtUp} returned), so a message listed here was processed in full;
 * nothing wraps the application's handlers, so every kind of handler is observed alike.
 *
 * <p>Holds the journal open for reading until {@link #close()}; reads it incrementally. Not thread-safe.
 */
final class HandlerProgress implements AutoCloseable {
    private final DenormQueue queue;
    private final String handler;
    private final JournalInspector journal;
    private final List<ReleasedMessage> released = new ArrayList<>();
    /** Where the read starts: messages up to this sequence are not shown. */
    private long readUpTo;

    /**
     * @param queue   the queue
     * @param handler the handler's registered name
     * @param after   messages released up to this sequence are left out; -1 for none
     * @throws AssertionError if the queue has no such handler
     */
    HandlerProgress(DenormQueue queue, String handler, long after) {
        this.queue = queue;
        this.handler = handler;
        this.readUpTo = after;
        List<HandlerStats> partitions = partitions();
        if (partitions.isEmpty()) {
            throw new AssertionError("The queue has no handler named '" + handler + "'; its handlers are "
                    + queue.stats().handlers().stream().map(HandlerStats::name).toList());
        }
        this.journal = JournalInspector.open(queue.journalDirectory());
    }

    /** @return the handler's partitions ("name", or "name#0".."name#n-1") as the queue reports them now */
    List<HandlerStats> partitions() {
        return queue.stats().handlers().stream()
                .filter(stats -> stats.name().equals(handler) || isPartition(stats.name()))
                .toList();
    }

    private boolean isPartition(String name) {
        return name.startsWith(handler + "#")
                && name.substring(handler.length() + 1).chars().allMatch(Character::isDigit);
    }

    /**
     * @return the messages the handler has processed, in release order; dead letters are left out
     */
    List<ReleasedMessage> processed() {
        // the cursor first: every message at or below it is released, so the journal read after it has them all
        long cursor = partitions().stream().mapToLong(HandlerStats::cursor).min().orElse(-1);
        if (cursor > readUpTo) {
            journal.messages(readUpTo, message -> {
                released.add(message);
                readUpTo = message.sequence();
                return message.sequence() < cursor;
            });
        }
        Set<Long> given = cursor < 0 ? Set.of() : queue.deadLetters().stream()
                .filter(deadLetter -> deadLetter.handler().equals(handler))
                .map(DeadLetter::sequence)
                .collect(Collectors.toSet());
        return released.stream()
                .filter(message -> message.sequence() <= cursor && !given.contains(message.sequence()))
                .toList();
    }

    /**
     * @param queue a queue
     * @return the sequence of the last message released so far, -1 if none
     */
    static long lastReleased(DenormQueue queue) {
        long[] last = {-1};
        try (JournalInspector journal = JournalInspector.open(queue.journalDirectory())) {
            journal.messages(-1, message -> {
                last[0] = message.sequence();
                return true;
            });
        }
        return last[0];
    }

    /** @return the partitions a failure halted, with why: they will process nothing more */
    List<String> halted() {
        return partitions().stream().filter(HandlerStats::halted)
                .map(stats -> stats.name() + ": " + stats.haltReason()).toList();
    }

    @Override
    public void close() {
        journal.close();
    }
}
