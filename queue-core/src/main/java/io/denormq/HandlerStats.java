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
 * @param lagMessages     released messages its reader has passed to it (in its ring) that it has not
 *                        processed yet: at most the ring size; a longer backlog is still in the journal
 *                        and shows in {@code unreadRecords}
 * @param lagMillis       age of the oldest message it has not processed (release time to now), 0 when
 *                        it has none: the one figure to alert on, whatever the backlog's size
 * @param unreadRecords   journal records (transactions' batches and outcomes) its reader has not read
 *                        yet: the backlog beyond its ring, 0 once the reader has caught up (and
 *                        after the queue closed), -1 if the journal could not count them
 * @param running         false once the handler's thread stopped (queue closed, or the handler was halted)
 */
public record HandlerStats(String name, long cursor, long processed, long retries, long deadLetters,
                           long lagMessages, long lagMillis, long unreadRecords, boolean running) {
}
