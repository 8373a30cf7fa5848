package io.denormq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An embedded, durable queue for denormalisation messages: messages published inside a database
 * transaction are journaled to a memory-mapped file and delivered to the handlers registered in this
 * process only after that transaction has completed.
 *
 * <pre>{@code
 * DenormQueue queue = DenormQueue.builder(Path.of("/var/lib/app/denormq"))
 *         .handler("order-totals", message -> totals.apply(message))
 *         .build();                      // locks the directory, recovers, starts dispatch
 * ProgrammaticTransactions.run(connection, c -> {
 *     insertOrder(c, order);
 *     queue.publish("order-placed", order.customerId(), payload);
 * });
 * queue.close();
 * }</pre>
 *
 * <p><b>Guarantees.</b> Once a transaction commits, its messages survive a crash of the process
 * (and of the machine under {@link FlushPolicy#everyCommit()}); no message reaches a handler before
 * its transaction has completed; every handler receives every released message at least once, in
 * release order, and is told when a delivery may be a repeat. See {@link Durability} for the one
 * window {@link Durability#AFTER_COMMIT} leaves open.
 *
 * <p>Implementations are thread-safe. {@code publish} performs no I/O inside a transaction (the
 * journal append happens at commit) and costs microseconds.
 */
public interface DenormQueue extends AutoCloseable {
    /**
     * Starts configuring a queue whose journal lives in {@code journalDir} (created, owner-only, if
     * missing).
     *
     * @param journalDir the journal directory; one queue at a time may use it
     * @return a builder
     */
    static DenormQueueBuilder builder(Path journalDir) {
        return new DenormQueueBuilder(journalDir);
    }

    /**
     * Publishes a message. Inside a transaction (as found by the queue's
     * {@link io.denormq.tx.TransactionBinding}) the message joins the transaction's batch and is
     * released when the transaction commits, or discarded if it rolls back. Outside a transaction
     * it is journaled and released at once.
     *
     * @param topic   what the message is about, 1 to 1024 UTF-8 bytes
     * @param key     orders messages: a handler sees one key's messages in release order; may be null
     * @param payload the message's bytes (copied), at most the configured maximum
     * @throws InvalidMessageException if the topic or payload is missing or too large (nothing is published)
     * @throws QueueClosedException    if the queue is closed
     * @throws JournalException        if, outside a transaction, the journal cannot be written
     */
    void publish(String topic, String key, byte[] payload);

    /**
     * Encodes {@code value} with {@code codec} and {@link #publish(String, String, byte[]) publishes} it.
     *
     * @param topic what the message is about
     * @param key   ordering key, may be null
     * @param value the value, not null
     * @param codec encodes it
     * @param <T>   the value's type
     */
    <T> void publish(String topic, String key, T value, Codec<T> codec);

    /**
     * Encodes {@code value} with the queue's default codec ({@link DenormQueueBuilder#codec}) and
     * {@link #publish(String, String, byte[]) publishes} it: the same transaction rules, limits and
     * exceptions. A handler reads it back with {@link Message#payload(Class)}.
     *
     * <pre>{@code
     * queue.publish("order-placed", order.customerId(), new OrderPlaced(order.id(), order.total()));
     * }</pre>
     *
     * <p>A {@code byte[]} value, even one typed as {@code Object}, is published as it is, without
     * the codec. Encoding costs what the codec costs (a JSON codec allocates); byte-array publishing
     * stays allocation-free.
     *
     * @param topic what the message is about, 1 to 1024 UTF-8 bytes
     * @param key   orders messages, may be null
     * @param value the value, not null
     * @throws InvalidMessageException if the value is null or the codec cannot encode it (its
     *                                 {@link CodecException} is the cause), or as for byte arrays;
     *                                 nothing is published
     * @throws ConfigurationException  if the queue has no default codec
     * @throws QueueClosedException    if the queue is closed
     * @throws JournalException        if, outside a transaction, the journal cannot be written
     */
    void publish(String topic, String key, Object value);

    /**
     * Publishes a message with headers: as {@link #publish(String, String, byte[])}, and the
     * headers are journaled with the message, so that every delivery of it (re-deliveries, replays
     * after a restart, a redriven dead letter) has them in {@link Message#headers()}. Headers are
     * copied as they are now ({@link Headers} is immutable). A {@link PublishInterceptor} may add
     * more.
     *
     * <p>The first message with headers raises the journal's format marker (once, a small file write
     * and flush): from then on denormq versions that predate headers refuse this journal rather than
     * misread it. Null or empty headers publish exactly what {@code publish(topic, key, payload)}
     * does.
     *
     * @param topic   what the message is about, 1 to 1024 UTF-8 bytes
     * @param key     orders messages, may be null
     * @param payload the message's bytes (copied), at most the configured maximum
     * @param headers the message's headers, may be null
     * @throws InvalidMessageException as for {@link #publish(String, String, byte[])}; nothing is published
     * @throws QueueClosedException    if the queue is closed
     * @throws JournalException        if, outside a transaction, the journal cannot be written, or the
     *                                 format marker cannot be raised
     * @throws UnsupportedOperationException if this implementation is not denormq's and does not support headers
     */
    default void publish(String topic, String key, byte[] payload, Headers headers) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support message headers");
    }

    /**
     * Encodes {@code value} with the queue's default codec and publishes it with headers: as
     * {@link #publish(String, String, Object)} for the value and
     * {@link #publish(String, String, byte[], Headers)} for the headers.
     *
     * @param topic   what the message is about, 1 to 1024 UTF-8 bytes
     * @param key     orders messages, may be null
     * @param value   the value, not null (a {@code byte[]} is published as it is)
     * @param headers the message's headers, may be null
     * @throws InvalidMessageException if the value is null or cannot be encoded, or as for bytes
     * @throws ConfigurationException  if the queue has no default codec
     * @throws QueueClosedException    if the queue is closed
     * @throws JournalException        if, outside a transaction, the journal cannot be written
     * @throws UnsupportedOperationException if this implementation is not denormq's and does not support headers
     */
    default void publish(String topic, String key, Object value, Headers headers) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support message headers");
    }

    /**
     * Waits until every handler has processed every message released before this call.
     *
     * <p>A handler that a failure halted (see {@link HandlerStats.State#HALTED}) will not process
     * anything before the application restarts: this returns false as soon as it sees one, without
     * waiting for the timeout. {@link #stats()} names it and says why.
     *
     * @param timeout how long to wait
     * @return true if they have, false if the time ran out or a handler is halted
     * @throws InterruptedException if the calling thread is interrupted
     */
    boolean awaitProcessed(Duration timeout) throws InterruptedException;

    /**
     * Lists the messages that handlers gave up on and that were neither redriven nor discarded,
     * oldest first. It reads the whole retained journal: an operator's query, not for a hot path.
     *
     * @return the dead letters
     * @throws QueueClosedException if the queue is closed
     */
    List<DeadLetter> deadLetters();

    /**
     * Delivers a dead letter's message again, to the handler that gave up on it only (the other
     * handlers are not disturbed), after everything already released. The message keeps its id,
     * gets a new sequence and reports {@link Message#redelivered()}; if the handler fails again, it
     * becomes a new dead letter. The redrive is journaled: it survives a crash, and a restart
     * that replays it delivers it again. A {@link DenormQueueBuilder#rebuild rebuild} that replays
     * the failed message at its original place does not deliver the redrive too: the message is
     * applied once.
     *
     * @param deadLetter one of {@link #deadLetters()}
     * @throws IllegalArgumentException if it is no longer an unsettled dead letter of this journal
     * @throws IllegalStateException    if its handler is not registered with this queue
     * @throws QueueClosedException     if the queue is closed
     */
    void redrive(DeadLetter deadLetter);

    /**
     * Drops a dead letter: it is no longer listed, and it no longer keeps its day of the journal
     * from retention. The journal keeps the record until retention removes that day.
     *
     * @param deadLetter one of {@link #deadLetters()}
     * @throws IllegalArgumentException if it is no longer an unsettled dead letter of this journal
     * @throws QueueClosedException     if the queue is closed
     */
    void discard(DeadLetter deadLetter);

    /**
     * @return each handler's durable cursor: the sequence of the last message it acknowledged, -1 if
     *         none; a partitioned handler has one per partition, named "name#p"
     */
    Map<String, Long> cursors();

    /**
     * Reads each handler's progress and lag without touching the journal: cheap enough for a health
     * check or a metrics scrape. Works after {@link #close()} too (the handlers then report
     * {@link HandlerStats.State#STOPPED}, or HALTED with the reason if a failure halted them).
     *
     * @return a snapshot of the queue's counters
     */
    QueueStats stats();

    /** @return the journal directory */
    Path journalDirectory();

    /**
     * The journal's identity: a UUID written into the journal directory ({@value
     * io.denormq.internal.journal.JournalIdentity#FILE_NAME}) the first time a queue starts on it and never
     * changed, so it survives restarts, host name changes and moving the directory. Message ids and
     * sequences are unique within one journal only; this names the journal wherever they leave the
     * process (the Kafka bridge derives its default source from it). Handlers receive it in
     * {@link MessageHandler#onStart}. Reads the identity file.
     *
     * @return the identity, a UUID in canonical text form
     * @throws JournalException if the identity file cannot be read
     */
    default String journalId() {
        return io.denormq.internal.journal.JournalIdentity.read(journalDirectory());
    }

    /** @return whether {@link #close()} was called */
    boolean isClosed();

    /**
     * Stops the queue: publishing fails from now on, the handlers process what is already released
     * (up to the builder's shutdown timeout), cursors are written and the journal directory is
     * unlocked. Transactions still open lose nothing: their batches are released on the next start.
     * Idempotent.
     */
    @Override
    void close();
}
