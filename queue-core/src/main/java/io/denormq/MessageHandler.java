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
}
