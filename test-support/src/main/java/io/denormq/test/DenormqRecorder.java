package io.denormq.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import io.denormq.DenormQueue;
import io.denormq.PayloadCodec;
import io.denormq.inspect.ReleasedMessage;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.TransactionOutcome;

/**
 * Records what a queue's transactions published and tells what its handlers processed, for assertions
 * in tests: the counterpart of Spring Modulith's {@code PublishedEvents} and {@code Scenario}.
 *
 * <pre>{@code
 * List<OrderPlaced> placed = recorder.published("order-placed", OrderPlaced.class);   // committed ones
 * recorder.lastTransaction().assertRolledBack();                                       // published nothing
 * recorder.awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
 *         order -> order.orderId() == 7, Duration.ofSeconds(10));                      // or AssertionError
 * }</pre>
 *
 * <p>A recorder observes through the public API only: {@link #record(TransactionBinding)} wraps the
 * queue's transaction binding (to learn each transaction's outcome) and {@link #record(DenormQueue,
 * PayloadCodec)} wraps the queue (to learn what each publish sent); what handlers processed is read
 * from the journal and the handlers' cursors, so handlers are not wrapped. {@link DenormqExtension} and
 * {@link io.denormq.test.spring.DenormqTest} set this up; a test that builds its own queue does it with
 * the two calls. Thread-safe.
 */
public final class DenormqRecorder {
    /** How often {@link #awaitProcessed} looks at the handler's cursor while it waits. */
    private static final long POLL_MILLIS = 5;

    private final List<RecordedTransaction> transactions = new ArrayList<>();
    private RecordingBinding binding;
    private DenormQueue queue;
    private PayloadCodec codec;
    /** Messages released at or before this sequence are hidden from {@link #processed}: they came before {@link #clear()}. */
    private long clearedAtSequence = -1;

    /** Creates a recorder that records nothing yet: see {@link #record(TransactionBinding)}. */
    public DenormqRecorder() {
    }

    /**
     * Wraps a queue's transaction binding so that the recorder sees each transaction's outcome. Build
     * the queue with what this returns, then pass the queue to {@link #record(DenormQueue, PayloadCodec)}.
     *
     * @param binding the binding the queue would use (e.g. {@code new SpringTransactionBinding()})
     * @return a binding that behaves like {@code binding}
     * @throws IllegalStateException if this recorder already records another binding
     */
    public synchronized TransactionBinding record(TransactionBinding binding) {
        Objects.requireNonNull(binding, "binding");
        if (this.binding != null) {
            throw new IllegalStateException("This recorder already records " + this.binding + ": use one recorder "
                    + "per queue");
        }
        this.binding = new RecordingBinding(binding, this);
        return this.binding;
    }

    /**
     * Wraps a queue built with {@link #record(TransactionBinding)}'s binding so that the recorder sees
     * what each publish sent. Publish through what this returns.
     *
     * @param queue the queue
     * @param codec the queue's default codec (what {@link PublishedMessage#payload(Class)} decodes
     *              with), null if it has none
     * @return a queue that behaves like {@code queue} and records its publishes
     * @throws IllegalStateException if no binding was recorded first, or a queue already was
     */
    public synchronized DenormQueue record(DenormQueue queue, PayloadCodec codec) {
        Objects.requireNonNull(queue, "queue");
        if (binding == null) {
            throw new IllegalStateException("Record the queue's transaction binding first (record(TransactionBinding))"
                    + " and build the queue with it: the recorder learns from it which transaction a publish joined");
        }
        if (this.queue != null) {
            throw new IllegalStateException("This recorder already records " + this.queue + ": use one recorder per queue");
        }
        this.codec = codec;
        this.queue = new RecordingQueue(queue, binding, codec, this);
        return this.queue;
    }

    /**
     * @return every transaction that published through the recorded queue since the start or the last
     *         {@link #clear()}, in the order of their first publish, rolled-back ones included
     */
    public synchronized List<RecordedTransaction> transactions() {
        return List.copyOf(transactions);
    }

    /**
     * @return the transaction of the latest first publish
     * @throws AssertionError if nothing was published
     */
    public synchronized RecordedTransaction lastTransaction() {
        if (transactions.isEmpty()) {
            throw new AssertionError("Nothing was published through the recorded queue");
        }
        return transactions.get(transactions.size() - 1);
    }

    /**
     * @return the messages the queue released or will release to its handlers: those of committed
     *         transactions (and of those whose outcome is unknown) and those published outside a
     *         transaction, in the order they were published; nothing of a transaction rolled back or
     *         still open
     */
    public List<PublishedMessage> published() {
        return transactions().stream()
                .filter(RecordedTransaction::released)
                .flatMap(transaction -> transaction.messages().stream())
                .toList();
    }

    /**
     * The released messages of one topic, decoded with the queue's codec as a handler would read them.
     *
     * @param topic the topic
     * @param type  the type to decode them as
     * @param <T>   the type
     * @return their values, in publish order; empty if there are none
     * @throws io.denormq.CodecException        if one cannot be read as a {@code type}
     * @throws io.denormq.ConfigurationException if the queue has no default codec
     */
    public <T> List<T> published(String topic, Class<T> type) {
        return published().stream()
                .filter(message -> message.topic().equals(topic))
                .map(message -> message.payload(type))
                .toList();
    }

    /**
     * The messages a handler has processed so far: acknowledged (for a plain handler, {@code onMessage}
     * and {@code onCaughtUp} returned), not dead-lettered, in release order.
     *
     * @param handler the handler's registered name
     * @return the messages, copies
     * @throws AssertionError if the queue has no such handler
     */
    public List<ReleasedMessage> processed(String handler) {
        try (HandlerProgress progress = new HandlerProgress(queue(), handler, clearedAtSequence())) {
            return progress.processed();
        }
    }

    /**
     * Waits until a handler has processed a message of {@code topic} whose payload, decoded as
     * {@code type} with the queue's codec, matches {@code matching}: the test's way to wait for a
     * read model to follow a write. The wait ends early, failing, if the handler is halted.
     *
     * @param handler  the handler's registered name
     * @param topic    the topic
     * @param type     the type to decode payloads as
     * @param matching the condition; messages of the topic that cannot be decoded as {@code type} do not match
     * @param timeout  how long to wait at most
     * @param <T>      the type
     * @return the first processed value that matches
     * @throws AssertionError if none did within the timeout, listing what the handler did process
     * @throws io.denormq.ConfigurationException if the queue has no default codec
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public <T> T awaitProcessed(String handler, String topic, Class<T> type, Predicate<? super T> matching,
                                Duration timeout) throws InterruptedException {
        PayloadCodec codec = codec();
        if (codec == null) {
            PublishedMessage.decode(null, topic, new byte[0], type); // throws, saying to give the queue a codec
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HandlerProgress progress = new HandlerProgress(queue(), handler, clearedAtSequence())) {
            while (true) {
                List<ReleasedMessage> processed = progress.processed();
                for (ReleasedMessage message : processed) {
                    if (message.topic().equals(topic)) {
                        T value = decodeOrNull(codec, message, type);
                        if (value != null && matching.test(value)) {
                            return value;
                        }
                    }
                }
                List<String> halted = progress.halted();
                if (!halted.isEmpty() || System.nanoTime() - deadline >= 0) {
                    throw new AssertionError("Handler '" + handler + "' processed no '" + topic + "' message whose "
                            + type.getSimpleName() + " matches the condition "
                            + (halted.isEmpty() ? "within " + timeout : "and is halted: " + halted)
                            + "; it processed " + processed.size() + " message(s)" + describe(processed)
                            + "; published and released: " + published());
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static <T> T decodeOrNull(PayloadCodec codec, ReleasedMessage message, Class<T> type) {
        byte[] payload = message.payload();
        try {
            return codec.decode(payload, 0, payload.length, type);
        } catch (RuntimeException notAType) {
            return null; // another event type on the same topic: not a match
        }
    }

    private static String describe(List<ReleasedMessage> processed) {
        StringBuilder text = new StringBuilder();
        for (ReleasedMessage message : processed) {
            text.append(text.length() == 0 ? ": " : ", ")
                    .append(PublishedMessage.describe(message.topic(), message.key(), message.payload()));
        }
        return text.toString();
    }

    /**
     * Forgets what was recorded so far: the transactions, and the messages released until now, which
     * {@link #processed} and {@link #awaitProcessed} no longer show. A Spring test context, and so its
     * queue, is shared by the tests that cache it; {@link io.denormq.test.spring.DenormqTest} calls this
     * before each test.
     */
    public synchronized void clear() {
        transactions.clear();
        if (queue != null && !queue.isClosed()) {
            clearedAtSequence = HandlerProgress.lastReleased(queue);
        }
    }

    synchronized RecordedTransaction transactionStarted() {
        RecordedTransaction transaction = new RecordedTransaction(true);
        transactions.add(transaction);
        return transaction;
    }

    synchronized void published(RecordedTransaction joined, PublishedMessage message) {
        RecordedTransaction transaction = joined;
        if (joined == RecordingBinding.NO_TRANSACTION) {
            transaction = new RecordedTransaction(false);
            transaction.completed(TransactionOutcome.COMMITTED); // released at once
            transactions.add(transaction);
        } else if (joined == RecordingBinding.NOT_JOINED) {
            // the queue was built with another binding: which transaction this joined, and its outcome, are unknown
            transaction = new RecordedTransaction(true);
            transactions.add(transaction);
        }
        transaction.add(message);
    }

    private synchronized DenormQueue queue() {
        if (queue == null) {
            throw new IllegalStateException("No queue is recorded yet: record(DenormQueue, PayloadCodec) first");
        }
        return queue;
    }

    private synchronized long clearedAtSequence() {
        return clearedAtSequence;
    }

    private synchronized PayloadCodec codec() {
        return codec;
    }
}
