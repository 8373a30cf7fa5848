package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.denormq.json.Jackson2Codec;
import io.denormq.json.Jackson3Codec;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Typed messages: {@link DenormQueue#publish(String, String, Object)} through the queue's default
 * codec and {@link Message#payload(Class)} on what handlers receive and on their copies, with both
 * JSON codecs; what cannot be encoded is refused with nothing journaled; byte arrays keep their path.
 */
class TypedMessagesTest extends QueueTestSupport {

    record OrderPlaced(String orderId, String customerId, long totalCents, List<String> items) {
    }

    /** Jackson cannot write it: reading its property fails. */
    record Opaque(String secret) {
        @Override
        public String secret() {
            throw new IllegalStateException("not readable");
        }
    }

    static List<Arguments> codecs() {
        return List.of(Arguments.of("Jackson 2", (Supplier<PayloadCodec>) Jackson2Codec::create),
                Arguments.of("Jackson 3", (Supplier<PayloadCodec>) Jackson3Codec::create));
    }

    private static OrderPlaced order(int n) {
        return new OrderPlaced("o-" + n, "c-" + (n % 3), 1_000L * n + 99, List.of("sku-" + n, "sku-x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void shouldDeliverARecordPublishedInATransactionAsTheSameRecord(String name, Supplier<PayloadCodec> codec)
            throws Exception {
        List<OrderPlaced> received = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().codec(codec.get())
                .handler("orders", message -> received.add(message.payload(OrderPlaced.class))));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("order-placed", "c-1", (Object) order(1));
            queue.publish("order-placed", "c-2", order(2));
            tx.commit(() -> { });
        }
        queue.publish("order-placed", "c-3", order(3)); // outside a transaction: journaled at once
        awaitProcessed(queue);
        assertThat(received).containsExactly(order(1), order(2), order(3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void shouldDecodeCopiesAfterTheHandlerReturnedAndRetriedDeliveries(String name, Supplier<PayloadCodec> codec)
            throws Exception {
        List<Message> copies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger attempts = new AtomicInteger();
        List<OrderPlaced> retried = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().codec(codec.get()).handler("orders", message -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            retried.add(message.payload(OrderPlaced.class));
            copies.add(message.copy());
        }));
        queue.publish("order-placed", "c-1", order(1));
        awaitProcessed(queue);
        assertThat(retried).containsExactly(order(1));
        assertThat(copies.get(0).payload(OrderPlaced.class)).as("a copy, read after onMessage returned").isEqualTo(order(1));
        assertThat(copies.get(0).copy().payload(OrderPlaced.class)).isEqualTo(order(1));
    }

    @Test
    void shouldDecodeARedrivenDeadLetterAndAnAsynchronousHandlersRedelivery() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<OrderPlaced> afterRedrive = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().codec(Jackson3Codec.create()).handler("orders", message -> {
            OrderPlaced order = message.payload(OrderPlaced.class);
            if (attempts.incrementAndGet() <= 3) { // the builder's retry policy: 3 attempts, then dead-lettered
                throw new IllegalStateException("read model unavailable");
            }
            afterRedrive.add(order);
        }).handler("async", new FailingOnce()));
        queue.publish("order-placed", "c-1", order(1));
        awaitProcessedOrDeadLettered(queue);
        List<DeadLetter> deadLetters = queue.deadLetters();
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).payload(OrderPlaced.class)).as("the dead letter, read with the queue's codec")
                .isEqualTo(order(1));
        queue.redrive(deadLetters.get(0));
        awaitProcessed(queue);
        assertThat(afterRedrive).as("the redriven message, read as a record").containsExactly(order(1));
        assertThat(FailingOnce.redelivered).as("the asynchronous handler's failed message, delivered again as a copy")
                .containsExactly(order(1));
    }

    private static void awaitProcessedOrDeadLettered(DenormQueue queue) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (queue.deadLetters().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no dead letter within " + AWAIT);
            }
            Thread.sleep(5);
        }
    }

    /** Fails its first message from another thread, then acknowledges the redelivery it is given. */
    static final class FailingOnce implements AsyncMessageHandler {
        static final List<OrderPlaced> redelivered = Collections.synchronizedList(new ArrayList<>());
        private Acknowledgements acks;

        FailingOnce() {
            redelivered.clear();
        }

        @Override
        public void onStart(HandlerContext context) {
            acks = context.acknowledgements();
        }

        @Override
        public void onMessage(Message message) throws Exception {
            if (!message.redelivered()) {
                Message kept = message.copy();
                Thread failer = new Thread(() -> acks.fail(kept, new IllegalStateException("send failed")));
                failer.start();
                failer.join();
                return;
            }
            redelivered.add(message.payload(OrderPlaced.class));
            acks.acknowledge(message.sequence());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void shouldRefuseAValueTheCodecCannotEncodeAndJournalNothing(String name, Supplier<PayloadCodec> codec)
            throws Exception {
        List<OrderPlaced> received = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().codec(codec.get())
                .handler("orders", message -> received.add(message.payload(OrderPlaced.class))));
        assertThatThrownBy(() -> queue.publish("order-placed", "c-1", new Opaque("s")))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining(Opaque.class.getName()).hasMessageContaining("nothing was published")
                .hasCauseInstanceOf(CodecException.class);
        assertThat(JournalRecords.kinds(queue)).isEmpty();

        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("order-placed", "c-1", order(1));
            assertThatThrownBy(() -> queue.publish("order-placed", "c-1", new Opaque("s")))
                    .isInstanceOf(InvalidMessageException.class);
            tx.commit(() -> { }); // the caller chose to commit: the transaction keeps what was published
        }
        awaitProcessed(queue);
        assertThat(received).containsExactly(order(1));
        assertThat(queue.stats().handlers().get(0).processed()).isEqualTo(1);
    }

    @Test
    void shouldRefuseANullValueAndAPublisherCodecReturningNull() throws Exception {
        DenormQueue queue = open(builder().codec(new NullCodec()).handler("h", new Recorder()));
        assertThatThrownBy(() -> queue.publish("t", "k", (Object) null)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> queue.publish("t", "k", order(1))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("encoded a " + OrderPlaced.class.getName() + " as null");
        assertThat(JournalRecords.kinds(queue)).isEmpty();
    }

    private static final class NullCodec implements PayloadCodec {
        @Override
        public byte[] encode(Object value) {
            return null;
        }

        @Override
        public <T> T decode(byte[] bytes, int offset, int length, Class<T> type) {
            return null;
        }
    }

    @Test
    void shouldJournalNothingForTypedMessagesOfATransactionThatRolledBack() throws Exception {
        List<OrderPlaced> received = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().codec(Jackson2Codec.create())
                .handler("orders", message -> received.add(message.payload(OrderPlaced.class))));
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:typed-rollback")) {
            ProgrammaticTransaction tx = ProgrammaticTransactions.begin();
            queue.publish("order-placed", "c-1", order(1));
            tx.rollback(connection);
        }
        assertThat(JournalRecords.kinds(queue)).isEmpty();
        queue.publish("order-placed", "c-2", order(2));
        awaitProcessed(queue);
        assertThat(received).containsExactly(order(2));
    }

    @Test
    void shouldSayToSetACodecWhenTheQueueHasNone() throws Exception {
        List<Message> copies = Collections.synchronizedList(new ArrayList<>());
        DenormQueue queue = open(builder().handler("h", message -> copies.add(message.copy())));
        assertThatThrownBy(() -> queue.publish("t", "k", order(1))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DenormQueueBuilder.codec");
        assertThat(JournalRecords.kinds(queue)).isEmpty();

        Object bytes = utf8("raw"); // a byte array typed as Object needs no codec: it is published as it is
        queue.publish("t", "k", bytes);
        awaitProcessed(queue);
        assertThat(copies.get(0).payload(Codecs.utf8())).isEqualTo("raw");
        assertThatThrownBy(() -> copies.get(0).payload(String.class)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DenormQueueBuilder.codec");
    }

    @Test
    void shouldPublishAByteArrayTypedAsObjectWithoutTheCodec() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().codec(new NullCodec()).handler("h", recorder));
        queue.publish("t", "k", (Object) utf8("as-is"));
        awaitProcessed(queue);
        assertThat(recorder.payloads()).containsExactly("as-is");
    }

    @Test
    void shouldFailTheDeliveryWithACodecExceptionWhenThePayloadIsNotOfTheTypeAsked() throws Exception {
        DenormQueue queue = open(builder().codec(Jackson2Codec.create())
                .retry(RetryPolicy.of(1, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("orders", message -> message.payload(OrderPlaced.class)));
        queue.publish("order-placed", "c-1", List.of("not", "an", "order"));
        awaitProcessedOrDeadLettered(queue);
        DeadLetter deadLetter = queue.deadLetters().get(0);
        assertThat(deadLetter.error()).contains(CodecException.class.getName()).contains(OrderPlaced.class.getName());
    }

    @Test
    void shouldSayThatADeadLetterNotListedByAQueueHasNoCodec() {
        DeadLetter made = new DeadLetter("h", 1, 1, "t", null, utf8("{}"), 3, "failed", java.time.Instant.EPOCH, 1);
        assertThatThrownBy(() -> made.payload(OrderPlaced.class)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DenormQueueBuilder.codec");
    }

    @Test
    void shouldSayThatAMessageNotMadeByAQueueHasNoCodec() {
        Message stub = new Message() {
            @Override public long id() { return 1; }
            @Override public long sequence() { return 1; }
            @Override public String topic() { return "t"; }
            @Override public String key() { return null; }
            @Override public byte[] payload() { return new byte[0]; }
            @Override public int payloadLength() { return 0; }
            @Override public <T> T payload(Codec<T> codec) { return codec.decode(new byte[0], 0, 0); }
            @Override public boolean redelivered() { return false; }
            @Override public long releasedAtMillis() { return 0; }
        };
        assertThatThrownBy(() -> stub.payload(String.class)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("payload(Codec)");
    }
}
