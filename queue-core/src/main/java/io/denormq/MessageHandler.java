package io.denormq;

/**
 * Processes released messages for one read model. Registered with
 * {@link DenormQueueBuilder#handler(String, MessageHandler)}, it runs on its own thread and sees
 * messages one at a time in release order.
 *
 * <p>Delivery is at least once: after a crash, messages processed since the handler's last
 * durable acknowledgement are delivered again ({@link Message#redelivered()} is then true), so a
 * handler must be idempotent, for example by keeping the last applied {@link Message#sequence()}
 * per row. A handler that throws is retried with backoff; after the configured number of attempts
 * the message is dead-lettered and the handler moves on (see {@link RetryPolicy}).
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Processes one message. The {@link Message} is valid only until this method returns: copy what
     * you need to keep.
     *
     * @param message the released message
     * @throws Exception to have the message retried (and eventually dead-lettered)
     */
    void onMessage(Message message) throws Exception;

    /**
     * Called at the end of each dispatch batch: when the handler has caught up with what was released
     * so far, or after a quarter of its ring's messages ({@link DenormQueueBuilder#ringSize(int)}) when
     * more are waiting; and before its progress is acknowledged. A handler that defers work across messages
     * (a database transaction spanning several of them) makes it durable here. The queue
     * acknowledges the messages returned from {@link #onMessage} only after this returns normally;
     * if it throws, nothing more is acknowledged until a later call succeeds, so the messages are
     * delivered again after a restart. The default does nothing.
     *
     * @throws Exception if the deferred work could not be made durable
     */
    default void onCaughtUp() throws Exception {
    }

    /**
     * Called once when the queue starts, in {@link DenormQueueBuilder#build()}, before any delivery
     * and before {@link #onRebuild}: tells the handler which journal, handler and partition it
     * serves. A handler that can serve one queue only refuses a second call here. The default does
     * nothing.
     *
     * @param context the journal's identity, the handler's name, its partition and partition count
     * @throws Exception to stop the queue from starting: {@code build()} throws a
     *                   {@link ConfigurationException} naming the handler and carrying this message
     */
    default void onStart(HandlerContext context) throws Exception {
    }

    /**
     * Called once at start, before any delivery, when the queue was asked to
     * {@link DenormQueueBuilder#rebuild rebuild} this handler: the handler is about to be replayed
     * every retained message after {@code afterSequence}. A handler that keeps its own record of
     * what it applied resets it here. The default does nothing.
     *
     * @param afterSequence the replay starts after this sequence, -1 for the earliest retained message
     * @throws Exception to stop the queue from starting
     */
    default void onRebuild(long afterSequence) throws Exception {
    }
}
