package io.denormq;

/**
 * One handler's progress, as seen at the moment {@link DenormQueue#stats()} was called. Counters
 * run from the queue's start; the cursor is durable across restarts.
 *
 * @param name            the handler's registered name; "name#p" for partition p of a partitioned handler
 * @param cursor          the sequence of the last message the handler acknowledged durably, -1 if none
 * @param processed       messages it finished since start (dead letters included)
 * @param retries         failed attempts it retried since start
 * @param deadLetters     messages it gave up on since start
 * @param lagMessages     messages already released to it that it has not processed yet
 * @param lagMillis       age of the oldest of those messages (release time to now), 0 when it has none
 * @param running         false once the handler's thread stopped (queue closed, or the handler was halted)
 */
public record HandlerStats(String name, long cursor, long processed, long retries, long deadLetters,
                           long lagMessages, long lagMillis, boolean running) {
}
