package io.denormq.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.MessageHandler;
import io.denormq.PayloadCodec;
import io.denormq.tx.ProgrammaticTransactions;
import io.denormq.tx.TransactionBinding;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a queue on a temporary journal, with a
 * {@link DenormqRecorder} of what it published and processed. Before each test it builds the queue; after
 * it, it closes the queue (the handlers drain first) and deletes the journal, whether the test passed
 * or not.
 *
 * <pre>{@code
 * @RegisterExtension
 * static DenormqExtension denormq = DenormqExtension.builder()
 *         .transactions(new SpringTransactionBinding())
 *         .codec(Jackson2Codec.create())
 *         .handler("customer-totals", totals)
 *         .build();
 *
 * @Test
 * void updatesTheTotals() throws InterruptedException {
 *     orders.place(order);                                   // publishes through denormq.queue()
 *     denormq.recorder().awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
 *             placed -> placed.orderId() == order.id(), Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Registered on a static field or an instance field alike: the queue is per test either way. The
 * handlers given to the builder are the same objects in every test; give them fresh state per test if
 * they keep any. The code under test must publish through {@link #queue()}, which records; the queue
 * is built with the recorder's wrapper of the configured binding.
 */
public final class DenormqExtension implements BeforeEachCallback, AfterEachCallback {
    private final TransactionBinding binding;
    private final PayloadCodec codec;
    private final List<Consumer<DenormQueueBuilder>> configuration;
    private Run run;

    private DenormqExtension(Builder builder) {
        this.binding = builder.binding;
        this.codec = builder.codec;
        this.configuration = List.copyOf(builder.configuration);
    }

    /** @return a builder; without settings, a queue on {@link ProgrammaticTransactions} with no handler and no codec */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TemporaryJournal journal = TemporaryJournal.create();
        try {
            DenormqRecorder recorder = new DenormqRecorder();
            DenormQueueBuilder builder = DenormQueue.builder(journal.directory())
                    .transactions(recorder.record(binding))
                    .codec(codec);
            configuration.forEach(step -> step.accept(builder));
            run = new Run(journal, recorder.record(builder.build(), codec), recorder);
        } catch (RuntimeException | Error e) {
            journal.close();
            throw e;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Run finished = run;
        run = null;
        if (finished != null) {
            try {
                finished.queue.close();
            } finally {
                finished.journal.close();
            }
        }
    }

    /**
     * @return the current test's queue: publish through it, so that the recorder sees what is published
     * @throws IllegalStateException outside a test
     */
    public DenormQueue queue() {
        return current().queue;
    }

    /**
     * @return the current test's recorder
     * @throws IllegalStateException outside a test
     */
    public DenormqRecorder recorder() {
        return current().recorder;
    }

    private Run current() {
        Run current = run;
        if (current == null) {
            throw new IllegalStateException("The denormq extension's queue exists during a test only (between "
                    + "@BeforeEach and @AfterEach): register the extension with @RegisterExtension and use it in a test");
        }
        return current;
    }

    /** One test's queue, recorder and journal. */
    private record Run(TemporaryJournal journal, DenormQueue queue, DenormqRecorder recorder) {
    }

    /** Configures a {@link DenormqExtension}. Not thread-safe. */
    public static final class Builder {
        private TransactionBinding binding = ProgrammaticTransactions.binding();
        private PayloadCodec codec;
        private final List<Consumer<DenormQueueBuilder>> configuration = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param binding how the queue finds the caller's transaction (the recorder wraps it); default
         *                {@link ProgrammaticTransactions#binding()}
         * @return this builder
         */
        public Builder transactions(TransactionBinding binding) {
            this.binding = Objects.requireNonNull(binding, "binding");
            return this;
        }

        /**
         * @param codec the queue's default codec, also what the recorder decodes payloads with; default none
         * @return this builder
         */
        public Builder codec(PayloadCodec codec) {
            this.codec = codec;
            return this;
        }

        /**
         * Registers a handler, as {@link DenormQueueBuilder#handler(String, MessageHandler)}.
         *
         * @param name    the handler's name
         * @param handler the handler, the same object in every test
         * @return this builder
         */
        public Builder handler(String name, MessageHandler handler) {
            return configure(builder -> builder.handler(name, handler));
        }

        /**
         * Adds any other setting of the queue's builder (partitioned handlers, retry policy, durability), applied in
         * order before each test's queue is built. Leave the binding and codec to this builder: they are
         * set before these steps run, and a step that replaces the binding hides the transactions from
         * the recorder.
         *
         * @param step changes the queue's builder
         * @return this builder
         */
        public Builder configure(Consumer<DenormQueueBuilder> step) {
            configuration.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        /** @return the extension, to register with {@code @RegisterExtension} */
        public DenormqExtension build() {
            return new DenormqExtension(this);
        }
    }
}
