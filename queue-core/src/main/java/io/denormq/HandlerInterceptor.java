package io.denormq;

/**
 * Wraps every invocation of every handler, on the handler's own thread: how a tracing or logging
 * context (an observation continuing the publisher's trace, an MDC entry) surrounds the handler
 * without each handler setting it up. Configured once with
 * {@link DenormQueueBuilder#handlerInterceptor(HandlerInterceptor)}; the Micrometer integration
 * ({@code io.denormq.observation.DenormqObservation}) is one.
 *
 * <p>An interceptor must call {@code handler.onMessage(message)} once and let what it throws
 * propagate (or throw instead of calling it): the queue retries and dead-letters by what comes out
 * of this method, exactly as for a handler without an interceptor. Each attempt of a retried message
 * is one invocation. For an {@link AsyncMessageHandler} the invocation ends when {@code onMessage}
 * returns, not when the message is acknowledged.
 *
 * <p>A queue without an interceptor calls the handler directly: nothing is added to dispatch.
 */
@FunctionalInterface
public interface HandlerInterceptor {
    /**
     * @param handlerName the name the handler was registered under ({@link DenormQueueBuilder#handler})
     * @param message     the message, valid only during this call, as for {@link MessageHandler#onMessage}
     * @param handler     the handler to call
     * @throws Exception what the handler threw, or the interceptor's own failure (counted as the
     *                   handler's: retried, then dead-lettered)
     */
    void invoke(String handlerName, Message message, MessageHandler handler) throws Exception;
}
