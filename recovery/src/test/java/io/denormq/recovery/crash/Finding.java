package io.denormq.recovery.crash;

import io.denormq.Durability;

/**
 * What the harness counts after the last run. Most are forbidden by denormq's guarantees; the
 * others are allowed, and reported so that a run shows which crash windows it hit.
 */
enum Finding {
    /** A message of a committed transaction was never processed. */
    LOST("messages of committed transactions never processed"),
    /**
     * In {@code AFTER_COMMIT} only: a message of a transaction that committed in the database, but
     * whose commit step did not return before the kill, was never processed. That is the documented
     * window between the database commit and the journal append. (In {@code WRITE_AHEAD} the batch
     * was journaled before the database commit and recovery must release it: {@link #LOST}.)
     */
    LOST_IN_COMMIT_WINDOW("messages lost in AFTER_COMMIT's window between the database commit and the append"),
    /** A handler ran before its message's transaction was visible, and the transaction committed. */
    EARLY("deliveries that did not see their transaction's row, although it committed"),
    /**
     * A message of a transaction that rolled back before its commit step was delivered. Such a
     * transaction never runs its before-commit callback, so its batch is never journaled, in either
     * mode and whatever the moment of the kill: any delivery is a bug.
     */
    ROLLED_BACK_DELIVERED("deliveries of transactions that rolled back"),
    /**
     * A message of a transaction that set out to commit, was killed before its commit step returned
     * and did not commit, was delivered. In {@code WRITE_AHEAD} that is a batch journaled before the
     * commit whose outcome was never written: recovery releases it (guarantee 4). In
     * {@code AFTER_COMMIT} nothing is journaled before the database commit, so it is a bug.
     */
    IN_DOUBT_DELIVERED("deliveries of transactions that never committed (outcome unknown at the kill)"),
    /** A delivery of a message that no transaction published. */
    STRANGER("deliveries of messages that no transaction published"),
    /** A message delivered twice in one run: without a crash in between, delivery is exactly once. */
    REPEATED_IN_ONE_RUN("messages delivered twice in one run"),
    /** A message delivered again in a later run without {@code Message.redelivered()} saying so. */
    UNFLAGGED_REDELIVERY("re-deliveries after a restart not flagged as redelivered"),
    /** A message whose id or sequence changed between deliveries, or an id shared by two messages. */
    UNSTABLE_IDENTITY("messages whose id or sequence changed on re-delivery, or ids shared by two messages"),
    /**
     * The database and the outcome log disagree (a commit that returned has no row, or a row has no
     * intent to commit): the harness cannot judge the queue.
     */
    HARNESS_INCONSISTENT("disagreements between the database and the outcome log: the harness cannot judge");

    private final String description;

    Finding(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /**
     * @param durability the mode the queue ran in
     * @return whether a single occurrence fails the test
     */
    boolean forbiddenIn(Durability durability) {
        return switch (this) {
            case LOST_IN_COMMIT_WINDOW -> false;
            case IN_DOUBT_DELIVERED -> durability != Durability.WRITE_AHEAD;
            default -> true;
        };
    }
}
