package io.denormq.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Headers;
import io.denormq.JournalException;
import io.denormq.QueueTestSupport;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Test;

/** The read-only inspection API against real journals: in use by a queue, mid-transaction, copied. */
class JournalInspectorTest extends QueueTestSupport {
    private DenormQueueBuilder queueBuilder() {
        return builder().transactions(ProgrammaticTransactions.binding())
                .handler("totals", message -> {
                    if (message.payload(Codecs.utf8()).equals("poison")) {
                        throw new IllegalStateException("cannot total poison");
                    }
                });
    }

    private static List<String> payloads(JournalInspector inspector, long afterSequence) {
        List<String> payloads = new ArrayList<>();
        inspector.messages(afterSequence, message -> payloads.add(text(message)));
        return payloads;
    }

    private static String text(ReleasedMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldSummariseAndListAJournalWhileAQueueUsesIt() throws Exception {
        DenormQueue queue = open(queueBuilder());
        for (String payload : List.of("order-1", "poison", "order-2")) {
            queue.publish("orders", "c-1", utf8(payload));
        }
        awaitProcessed(queue);

        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            JournalSummary summary = inspector.summary();
            assertThat(summary.lockHolder()).map(LockHolder::pid).contains(ProcessHandle.current().pid());
            assertThat(summary.releasedMessages()).isEqualTo(3);
            assertThat(summary.deadLetters()).isEqualTo(1);
            assertThat(summary.unresolvedBatches()).isZero();
            assertThat(summary.recordsByKind()).containsEntry("RELEASED_BATCH", 3L).containsEntry("DEAD_LETTER", 1L);
            assertThat(summary.records()).isEqualTo(4);
            assertThat(summary.formatVersion()).isEqualTo(1);
            assertThat(summary.journalId()).isPresent();
            assertThat(summary.cycleFiles()).isNotEmpty().allSatisfy(file -> assertThat(file.bytes()).isPositive());
            assertThat(summary.usableBytes()).isPositive();
            assertThat(summary.cursors()).singleElement().satisfies(lag -> {
                assertThat(lag.cursor().handler()).isEqualTo("totals");
                assertThat(lag.lagMessages()).isZero();
                assertThat(lag.cursor().sequence()).isEqualTo(queue.cursors().get("totals"));
            });

            assertThat(payloads(inspector, -1)).containsExactly("order-1", "poison", "order-2");
            List<ReleasedMessage> messages = new ArrayList<>();
            inspector.messages(-1, messages::add);
            assertThat(messages).extracting(ReleasedMessage::key).containsOnly("c-1");
            assertThat(payloads(inspector, messages.get(0).sequence())).containsExactly("poison", "order-2");
            List<String> first = new ArrayList<>();
            inspector.messages(-1, message -> first.add(text(message)) && false);
            assertThat(first).as("the visitor stops the read").containsExactly("order-1");

            assertThat(inspector.deadLetters()).singleElement().satisfies(deadLetter -> {
                assertThat(deadLetter.handler()).isEqualTo("totals");
                assertThat(new String(deadLetter.payload(), StandardCharsets.UTF_8)).isEqualTo("poison");
                assertThat(deadLetter.sequence()).isEqualTo(messages.get(1).sequence());
            });
            assertThat(inspector.deadLetters()).isEqualTo(queue.deadLetters());
        }
        queue.publish("orders", "c-2", utf8("after inspection"));
        awaitProcessed(queue); // the inspector changed nothing the queue needs
    }

    @Test
    void shouldListABatchAsUnresolvedUntilItsOutcomeIsJournaled() throws Exception {
        DenormQueue queue = open(queueBuilder());
        AtomicReference<List<UnresolvedBatch>> duringCommit = new AtomicReference<>();
        AtomicReference<List<String>> releasedDuringCommit = new AtomicReference<>();
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("orders", "c-1", utf8("a"));
            queue.publish("orders", "c-1", utf8("b"));
            tx.commit(() -> { // the batch is journaled, its release not yet
                try (JournalInspector inspector = JournalInspector.open(journalDir)) {
                    duringCommit.set(inspector.unresolvedBatches());
                    releasedDuringCommit.set(payloads(inspector, -1));
                    assertThat(inspector.summary().unresolvedBatches()).isEqualTo(1);
                }
            });
        }
        assertThat(duringCommit.get()).singleElement().satisfies(batch -> {
            assertThat(batch.messageCount()).isEqualTo(2);
            assertThat(batch.writtenAt()).isNotNull();
        });
        assertThat(releasedDuringCommit.get()).isEmpty();

        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            assertThat(inspector.unresolvedBatches()).isEmpty();
            assertThat(payloads(inspector, -1)).containsExactly("a", "b");
        }
    }

    @Test
    void shouldFollowMessagesAsTheyAreReleased() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("before"));
        List<String> followed = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread follower = new Thread(() -> {
            try (JournalInspector inspector = JournalInspector.open(journalDir)) {
                inspector.follow(-1, message -> followed.add(text(message)), stop::get);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        follower.start();
        try {
            queue.publish("orders", "c-1", utf8("after"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (followed.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            stop.set(true);
            follower.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failure.get()).isNull();
        assertThat(follower.isAlive()).as("follow returns once stopped").isFalse();
        assertThat(followed).containsExactly("before", "after");
    }

    @Test
    void shouldListAMessagesHeaders() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("plain"));
        queue.publish("orders", "c-1", utf8("traced"), Headers.of("tenant", "acme").with("traceparent", "00-abc-def-01"));
        awaitProcessed(queue);
        queue.close();
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            List<ReleasedMessage> messages = new ArrayList<>();
            inspector.messages(-1, messages::add);
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0).headers().isEmpty()).isTrue();
            assertThat(messages.get(1).headers()).isEqualTo(Headers.of("tenant", "acme").with("traceparent", "00-abc-def-01"));
            assertThat(messages.get(1).toString()).contains("headers=Headers{tenant=acme, traceparent=00-abc-def-01}");
            assertThat(messages.get(1)).isNotEqualTo(new ReleasedMessage(messages.get(1).sequence(), messages.get(1).id(),
                    "orders", "c-1", utf8("traced"), messages.get(1).releasedAtMillis()));
        }
    }

    @Test
    void shouldReadACopiedJournalDirectoryThatNoQueueHolds() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("order-1"));
        queue.publish("orders", null, utf8("order-2"));
        awaitProcessed(queue);
        queue.close();

        Path copy = journalDir.resolveSibling("copy");
        Files.createDirectory(copy);
        try (Stream<Path> files = Files.list(journalDir)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        try (JournalInspector inspector = JournalInspector.open(copy)) {
            assertThat(inspector.lockHolder()).isEmpty();
            assertThat(payloads(inspector, -1)).containsExactly("order-1", "order-2");
            List<ReleasedMessage> messages = new ArrayList<>();
            inspector.messages(-1, messages::add);
            assertThat(messages.get(1).key()).isNull();
            assertThat(inspector.cursors()).extracting(Cursor::handler).containsExactly("totals");
            assertThat(inspector.summary().cursors()).extracting(CursorLag::lagMessages).containsExactly(0L);
        }
    }

    @Test
    void shouldRefuseWhatIsNotAJournalAndCreateNothing() throws Exception {
        assertThatThrownBy(() -> JournalInspector.open(journalDir.resolve("missing")))
                .isInstanceOf(JournalException.class).hasMessageContaining("is not a directory");
        Files.createDirectories(journalDir);
        assertThatThrownBy(() -> JournalInspector.open(journalDir))
                .isInstanceOf(JournalException.class).hasMessageContaining("is not a denormq journal");
        try (Stream<Path> files = Files.list(journalDir)) {
            assertThat(files).as("nothing created").isEmpty();
        }
    }
}
