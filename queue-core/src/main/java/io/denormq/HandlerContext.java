package io.denormq;

/**
 * What a handler instance is told when its queue starts ({@link MessageHandler#onStart}): which
 * journal it reads, which handler and partition it is, and a way to dead-letter a message whose
 * processing it completes after {@link MessageHandler#onMessage} returned.
 *
 * <p>A handler that writes message ids or sequences where other queues' or handlers' records also
 * go names its records with {@link #journalId()} and {@link #handlerName()}: ids and sequences are
 * unique within one journal only.
 */
public interface HandlerContext {
    /**
     * @return the journal's identity: a UUID created with the journal and kept in its directory, the
     *         same across restarts and hosts (see {@link DenormQueue#journalId()})
     */
    String journalId();

    /** @return the name the handler was registered under */
    String handlerName();

    /** @return which partition this instance is, {@code 0 .. partitionCount() - 1} */
    int partition();

    /**
     * @return how many partitions the handler runs as in this start (it may differ from the previous
     *         start's: keys then move between partitions)
     */
    int partitionCount();

    /** @return the queue's retry policy: how many attempts a message gets before it is dead-lettered */
    RetryPolicy retryPolicy();

    /**
     * Dead-letters a message whose processing failed for good after {@code onMessage} had returned
     * for it (a handler that completes work later, such as a send whose outcome arrives after the
     * next messages were handed over): it is listed by {@link DenormQueue#deadLetters()} and can be
     * redriven to this handler partition, as if {@code onMessage} had thrown on its last attempt.
     * A {@link MessageHandler} calls it on the handler's thread, from {@code onMessage} or
     * {@code onCaughtUp}, before {@code onCaughtUp} returns for the message; an
     * {@link AsyncMessageHandler} from any thread, before acknowledging the message, and the dead
     * letter then counts as its acknowledgement. Either way the dead letter is journaled before the
     * handler's cursor can pass the message. Costs a journal append.
     *
     * @param message  the message, or a copy of it with its id, sequence, topic, key and payload
     * @param attempts how many times processing it failed
     * @param failure  the last failure, kept as the dead letter's error
     * @throws IllegalArgumentException if the message was not delivered to this handler partition, or is acknowledged already
     * @throws IllegalStateException    if called before the queue has started
     * @throws JournalException         if the dead letter cannot be written
     */
    void deadLetter(Message message, int attempts, Throwable failure);

    /**
     * The way an {@link AsyncMessageHandler} acknowledges the messages it accepted. The object may be
     * kept from {@link MessageHandler#onStart}; it works once the queue has started.
     *
     * @return this handler partition's acknowledgements
     * @throws IllegalStateException if the handler is not an {@link AsyncMessageHandler}: a
     *                               {@link MessageHandler}'s messages are acknowledged when it returns
     */
    Acknowledgements acknowledgements();
}
