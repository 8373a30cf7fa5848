package io.denormq.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.RetryPolicy;
import io.denormq.json.Jackson2Codec;
import io.denormq.tx.ProgrammaticTransactions;
import io.denormq.tx.TransactionOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DenormqExtension} and {@link DenormqRecorder} on a real queue and real H2 transactions; the
 * extension's life cycle is also driven by hand, so that what happens after a test can be checked.
 */
class DenormqExtensionTest {
    record Shipped(long orderId) {
    }

    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    @RegisterExtension
    final DenormqExtension extension = DenormqExtension.builder()
            .codec(Jackson2Codec.create())
            .handler("shipping", message -> {
                if (message.key().equals("held")) {
                    gate.await();
                }
                handled.add(message.key());
            })
            .configure(builder -> builder.handler("partitioned", 3, partition -> message -> { })
                    .handler("refuses", message -> {
                throw new IllegalStateException("refused " + message.key());
            }).retry(RetryPolicy.of(1, Duration.ofMillis(1), Duration.ofMillis(1))))
            .build();

    @AfterEach
    void openTheGate() {
        gate.countDown(); // before the extension closes the queue, which lets the handlers drain
    }

    @Test
    void shouldGiveEachTestItsOwnQueueAndDeleteItsJournalAfterwards() throws Exception {
        DenormqExtension handDriven = DenormqExtension.builder().handler("h", message -> { }).build();
        handDriven.beforeEach(null);
        DenormQueue first = handDriven.queue();
        Path journal = first.journalDirectory();
        assertThat(journal).isDirectory();
        handDriven.afterEach(null);

        assertThat(first.isClosed()).isTrue();
        assertThat(journal.getParent()).doesNotExist();
        assertThatThrownBy(handDriven::queue).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exists during a test only");

        handDriven.beforeEach(null);
        try {
            assertThat(handDriven.queue().journalDirectory()).isNotEqualTo(journal);
            assertThat(handDriven.recorder().transactions()).isEmpty();
        } finally {
            handDriven.afterEach(null);
        }
    }

    @Test
    void shouldRecordEachTransactionWithItsMessagesAndOutcome() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:extension-outcomes")) {
            DenormqRecorder recorder = extension.recorder();
            ProgrammaticTransactions.run(connection, c -> {
                extension.queue().publish("order-shipped", "order-1", new Shipped(1));
                extension.queue().publish("order-shipped", "order-2", "{\"orderId\":2}".getBytes(StandardCharsets.UTF_8));
                return null;
            });
            assertThatThrownBy(() -> ProgrammaticTransactions.run(connection, c -> {
                extension.queue().publish("order-shipped", "order-3", new Shipped(3));
                throw new IllegalStateException("rolled back");
            })).hasMessage("rolled back");
            extension.queue().publish("order-shipped", "order-4", new Shipped(4)); // no transaction: released at once

            List<RecordedTransaction> transactions = recorder.transactions();
            assertThat(transactions).hasSize(3);
            assertThat(transactions.get(0).assertCommitted().messages()).extracting(PublishedMessage::key)
                    .containsExactly("order-1", "order-2");
            assertThat(transactions.get(1).assertRolledBack().messages()).extracting(PublishedMessage::key)
                    .containsExactly("order-3");
            assertThat(transactions.get(2).transactional()).isFalse();
            assertThat(transactions.get(2).outcome()).contains(TransactionOutcome.COMMITTED);
            assertThat(recorder.published("order-shipped", Shipped.class))
                    .containsExactly(new Shipped(1), new Shipped(2), new Shipped(4));
            assertThatThrownBy(transactions.get(1)::assertCommitted).isInstanceOf(AssertionError.class)
                    .hasMessage("Expected the transaction to have committed so that its messages are released, but "
                            + "its outcome is ROLLED_BACK; it published 1 message(s): [order-shipped [key order-3] "
                            + "{\"orderId\":3}]");
            assertThatThrownBy(transactions.get(0)::assertRolledBack).isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("Expected the transaction to have rolled back so that it publishes nothing, "
                            + "but its outcome is COMMITTED; it published 2 message(s)");

            recorder.awaitProcessed("shipping", "order-shipped", Shipped.class, shipped -> shipped.orderId() == 4,
                    Duration.ofSeconds(10));
            assertThat(handled).containsExactly("order-1", "order-2", "order-4"); // the rolled-back one: never
            assertThat(recorder.processed("shipping")).extracting(message -> message.key())
                    .containsExactly("order-1", "order-2", "order-4");
        }
    }

    @Test
    void shouldNotCountAMessageAsProcessedWhileTheHandlerIsStillAtIt() throws Exception {
        DenormqRecorder recorder = extension.recorder();
        extension.queue().publish("order-shipped", "held", new Shipped(8));
        assertThatThrownBy(() -> recorder.awaitProcessed("shipping", "order-shipped", Shipped.class,
                shipped -> true, Duration.ofMillis(300)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("it processed 0 message(s)");
        assertThat(recorder.processed("shipping")).isEmpty();

        gate.countDown();
        assertThat(recorder.awaitProcessed("shipping", "order-shipped", Shipped.class, shipped -> true,
                Duration.ofSeconds(10))).isEqualTo(new Shipped(8));
        assertThat(handled).containsExactly("held"); // its work is done when the wait returns
    }

    @Test
    void shouldNotCountMessagesAHandlerGaveUpOnAsProcessed() throws Exception {
        DenormqRecorder recorder = extension.recorder();
        extension.queue().publish("order-shipped", "order-5", new Shipped(5));
        assertThat(extension.queue().awaitProcessed(Duration.ofSeconds(10))).isTrue();
        assertThat(recorder.processed("shipping")).hasSize(1);
        assertThat(recorder.processed("refuses")).isEmpty(); // dead-lettered, the cursor passed it

        assertThatThrownBy(() -> recorder.awaitProcessed("refuses", "order-shipped", Shipped.class,
                shipped -> true, Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("it processed 0 message(s); published and released: "
                        + "[order-shipped [key order-5] {\"orderId\":5}]");
        assertThatThrownBy(() -> recorder.processed("unknown")).isInstanceOf(AssertionError.class)
                .hasMessage("The queue has no handler named 'unknown'; its handlers are [shipping, partitioned#0, "
                            + "partitioned#1, partitioned#2, refuses]");
    }

    @Test
    void shouldCountAMessageOfAPartitionedHandlerOnceEveryPartitionPassedIt() throws Exception {
        for (int order = 10; order < 20; order++) {
            extension.queue().publish("order-shipped", "order-" + order, new Shipped(order));
        }
        assertThat(extension.recorder().awaitProcessed("partitioned", "order-shipped", Shipped.class,
                shipped -> shipped.orderId() == 19, Duration.ofSeconds(10))).isEqualTo(new Shipped(19));
        assertThat(extension.recorder().processed("partitioned")).hasSize(10);
    }

    @Test
    void shouldShowOnlyWhatCameAfterClear() throws Exception {
        DenormqRecorder recorder = extension.recorder();
        extension.queue().publish("order-shipped", "before", new Shipped(6));
        assertThat(extension.queue().awaitProcessed(Duration.ofSeconds(10))).isTrue();
        recorder.clear();
        extension.queue().publish("order-shipped", "after", new Shipped(7));
        assertThat(extension.queue().awaitProcessed(Duration.ofSeconds(10))).isTrue();

        assertThat(recorder.transactions()).hasSize(1);
        assertThat(recorder.processed("shipping")).extracting(message -> message.key()).containsExactly("after");
    }

    @Test
    void shouldSayWhenTheQueueHasNoCodecToDecodeWith() throws Exception {
        DenormqExtension withoutCodec = DenormqExtension.builder().handler("h", message -> { }).build();
        withoutCodec.beforeEach(null);
        try {
            withoutCodec.queue().publish("t", "k", "x", Codecs.utf8());
            assertThat(withoutCodec.recorder().published()).extracting(message -> message.payload(Codecs.utf8()))
                    .containsExactly("x");
            assertThatThrownBy(() -> withoutCodec.recorder().published("t", String.class))
                    .hasMessageContaining("the queue has no default codec, so the payload of a 't' message cannot be "
                            + "read as a java.lang.String");
        } finally {
            withoutCodec.afterEach(null);
        }
    }
}
