package io.denormq;

/**
 * A handler whose work for a message completes after {@link #onMessage} returned: a send whose
 * outcome arrives on another thread, a write a client library batches. {@code onMessage} only
 * <em>accepts</em> the message; the handler tells the queue later, from any thread, that it is done
 * with it through the {@link Acknowledgements} of its {@link HandlerContext} (kept from
 * {@link #onStart}), while the next messages are already being delivered.
 *
 * <pre>{@code
 * public void onStart(HandlerContext context) { acks = context.acknowledgements(); }
 *
 * public void onMessage(Message message) {
 *     Message kept = message.copy();
 *     client.send(kept.key(), kept.payload(), (ok, error) -> {
 *         if (error == null) acks.acknowledge(kept.sequence()); else acks.fail(kept, error);
 *     });
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b>
 * <ul>
 * <li>The handler's durable cursor never passes a message that was not acknowledged (or
 *     dead-lettered): it moves to the highest position below which every delivered message was
 *     acknowledged, whatever order the acknowledgements came in. After a crash, or after a
 *     {@link DenormQueue#close() close} that ran out of time, every message not acknowledged is
 *     delivered again ({@link Message#redelivered()} true), and so may be some that were: the
 *     handler stays idempotent.</li>
 * <li>At most {@link #maxInFlight()} messages are delivered and not yet acknowledged: at the cap,
 *     delivery waits until an eighth of the cap is acknowledged (the journal keeps the backlog, commits
 *     do not wait), so memory stays bounded.</li>
 * <li>A message reported with {@link Acknowledgements#fail} gets the queue's {@link RetryPolicy}, as
 *     if {@code onMessage} had thrown: it is delivered again (a copy, on the handler thread, after the
 *     policy's backoff, during which delivery pauses) and, once it failed as many times as the policy
 *     has attempts, dead-lettered ({@link DenormQueue#deadLetters()}) and counted as acknowledged. A
 *     retried message comes <em>after</em> messages delivered since its first delivery: per-key
 *     order holds for first deliveries only. {@code onMessage} throwing is retried on the spot, as
 *     for a {@link MessageHandler}.</li>
 * <li>{@link DenormQueue#awaitProcessed} waits for acknowledgements too; {@code close()} lets
 *     acknowledgements arrive for as long as its shutdown timeout, then stops counting them: what was
 *     not acknowledged by then is delivered again on the next start.</li>
 * </ul>
 *
 * <p>{@link #onCaughtUp()} does not gate the cursor for such a handler. It is called on the handler
 * thread at the end of every dispatch batch, and about every millisecond while the handler is idle
 * with messages unacknowledged: the place to push out batched work or to act on failures the
 * handler deals with itself (re-sending them). An exception from it is logged and changes nothing.
 *
 * <p><b>Cost.</b> An acknowledgement takes a lock (the handler thread takes it only on rare paths:
 * a retry, a dead letter, the end of a dispatch batch with nothing in flight), finds its message (at
 * once when acknowledgements come in delivery order, else by a binary search among the messages in
 * flight), and may store the cursor (an ordered write to the memory-mapped checkpoint file): well
 * under a microsecond. Delivering a message costs the handler thread no lock. Plain
 * {@link MessageHandler}s do not pay any of it.
 */
public interface AsyncMessageHandler extends MessageHandler {
    /**
     * Default cap on messages delivered and not yet acknowledged: enough to keep a pipeline to a
     * remote system full across a few round trips, small enough that the handler's copies stay a
     * few megabytes.
     */
    int DEFAULT_MAX_IN_FLIGHT = 8192;
    /** The highest cap a handler may ask for. */
    int MAX_IN_FLIGHT_LIMIT = 1 << 20;

    /**
     * Accepts a message: the handler copies what it needs (the {@link Message} is valid only until
     * this returns) and starts its work. The message is not done until it is acknowledged.
     *
     * @param message the released message
     * @throws Exception to have the message retried at once, as for a {@link MessageHandler}
     */
    @Override
    void onMessage(Message message) throws Exception;

    /**
     * Read once, when the queue starts. At the cap delivery waits until an eighth of the cap (at
     * least one message) is acknowledged, then fills it again: a handler whose acknowledgements come
     * one at a time gets messages in runs, not one per acknowledgement.
     *
     * @return how many messages may be delivered and not yet acknowledged, 1 to
     *         {@value #MAX_IN_FLIGHT_LIMIT}; default {@value #DEFAULT_MAX_IN_FLIGHT}
     */
    default int maxInFlight() {
        return DEFAULT_MAX_IN_FLIGHT;
    }
}
