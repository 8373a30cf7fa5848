package io.denormq;

/**
 * Adds headers to every message at publish time, so that context the application does not pass
 * by hand (the current trace, a tenant) travels with each message: configured once with
 * {@link DenormQueueBuilder#publishInterceptor(PublishInterceptor)}.
 *
 * <p>It runs on the publishing thread, inside {@link DenormQueue#publish}, after the topic and
 * payload were checked and before the message joins its transaction's batch: whatever it reads from
 * the thread (a current observation, a thread-local) is the publisher's. An exception it throws
 * propagates from {@code publish}, and nothing is published. A queue without an interceptor calls
 * nothing and its byte-array {@code publish} allocates nothing for headers.
 */
@FunctionalInterface
public interface PublishInterceptor {
    /**
     * @param topic   the message's topic
     * @param key     its key, or null
     * @param headers the headers given to {@code publish}, {@link Headers#empty()} if none
     * @return the headers to journal with the message: {@code headers}, or headers built from them
     *         with {@link Headers#with}; null or empty for none
     */
    Headers onPublish(String topic, String key, Headers headers);
}
