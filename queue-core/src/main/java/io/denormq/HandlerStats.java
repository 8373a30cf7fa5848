package io.denormq;

import java.util.Objects;

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
 * @param unacknowledged  for an {@link AsyncMessageHandler}: messages delivered to it and not
 *                        acknowledged yet (its durable cursor waits on the oldest); 0 for a plain handler
 * @param state           whether it runs, was halted by a failure, or stopped with the queue
 * @param haltReason      why it was halted, naming the message and the failure; null unless
 *                        {@code state} is {@link State#HALTED}
 */
public record HandlerStats(String name, long cursor, long processed, long retries, long deadLetters,
                           long lagMessages, long lagMillis, long unreadRecords, long unacknowledged, State state,
                           String haltReason) {

    /** What a handler (partition) is doing. */
    public enum State {
        /** Its thread processes messages as they are released. */
        RUNNING,
        /**
         * A failure it cannot get past stopped it (today: a message it gave up on could not be
         * dead-lettered). It processes and acknowledges nothing more until the application restarts;
         * its cursor stays where it was, so nothing is lost: the message it stopped at and every later
         * one are delivered again after the restart. {@link HandlerStats#haltReason()} says why; fix
         * that, then restart.
         */
        HALTED,
        /** Its thread stopped because the queue was closed. */
        STOPPED
    }

    /**
     * @param name          the handler's name
     * @param cursor        its durable cursor
     * @param processed     messages finished since start
     * @param retries       retried attempts since start
     * @param deadLetters   dead letters since start
     * @param lagMessages   messages in its ring not yet processed
     * @param lagMillis     age of its oldest unprocessed message
     * @param unreadRecords journal records its reader has not read
     * @param unacknowledged messages delivered to an asynchronous handler and not acknowledged, 0 for a plain one
     * @param state         its state, not null
     * @param haltReason    why it was halted, only (and never null) when {@code state} is HALTED
     */
    public HandlerStats {
        Objects.requireNonNull(state, "state");
        if ((state == State.HALTED) != (haltReason != null)) {
            throw new IllegalArgumentException("haltReason must be given exactly when the state is HALTED; state "
                    + state + ", haltReason " + haltReason);
        }
    }

    /** @return whether its thread processes messages ({@link State#RUNNING}) */
    public boolean running() {
        return state == State.RUNNING;
    }

    /** @return whether a failure halted it ({@link State#HALTED}): it needs a fix and a restart */
    public boolean halted() {
        return state == State.HALTED;
    }
}
