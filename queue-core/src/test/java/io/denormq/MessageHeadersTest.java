package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.denormq.internal.journal.JournalFormat;
import io.denormq.internal.journal.JournalRecordDescriptor;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;

/**
 * Per-message headers: journaled with the message, delivered with every delivery of it (live, after
 * a restart, in a copy, as a dead letter and its redrive), added by publish interceptors, bounded; a
 * journal without headers stays in the version-1 format, and one in that format opens and replays.
 */
class MessageHeadersTest extends QueueTestSupport {
    private static final Headers TRACE = Headers.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    /** What a handler saw, copied: a Message is only valid during the call. */
    private record Seen(String payload, Headers headers, String traceparent, boolean redelivered) {
    }

    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

    private MessageHandler recording() {
        return message -> seen.add(new Seen(message.payload(Codecs.utf8()), message.headers(),
                message.header("traceparent"), message.redelivered()));
    }

    @Test
    void shouldDeliverEachMessageWithItsOwnHeadersInsideAndOutsideATransaction() throws Exception {
        DenormQueue queue = open(builder().handler("h", recording()).handler("p", 3, partition -> message -> { }));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("orders", "c-1", utf8("plain"));
            queue.publish("orders", "c-1", utf8("traced"), TRACE);
            queue.publish("orders", "c-2", utf8("null headers"), (Headers) null);
            tx.commit(() -> { });
        }
        queue.publish("orders", null, utf8("outside"), Headers.of("tenant", "acme").with("tenant", "globex"));
        awaitProcessed(queue);

        assertThat(seen).extracting(Seen::payload).containsExactly("plain", "traced", "null headers", "outside");
        assertThat(seen.get(0).headers().isEmpty()).isTrue();
        assertThat(seen.get(0).traceparent()).isNull();
        assertThat(seen.get(1).headers()).isEqualTo(TRACE);
        assertThat(seen.get(1).traceparent()).isEqualTo(TRACE.get("traceparent"));
        assertThat(seen.get(2).headers().isEmpty()).isTrue();
        assertThat(seen.get(3).headers()).isEqualTo(Headers.of("tenant", "globex"));
        assertThat(recordVersions(queue)).as("the transaction's batch holds headers; the release record does not")
                .containsExactly("BATCH v2", "RELEASE v1", "RELEASED_BATCH v2");
    }

    @Test
    void shouldReplayHeadersAfterARestart() throws Exception {
        DenormQueue first = open(builder().handler("h", message -> { }));
        first.publish("orders", "c-1", utf8("traced"), TRACE);
        first.publish("orders", "c-1", utf8("plain"));
        awaitProcessed(first);
        first.close();

        DenormQueue second = open(builder().handler("h", recording()).rebuild("h"));
        awaitProcessed(second);
        assertThat(seen).extracting(Seen::payload).containsExactly("traced", "plain");
        assertThat(seen.get(0).traceparent()).isEqualTo(TRACE.get("traceparent"));
        assertThat(seen.get(0).redelivered()).isTrue();
        assertThat(seen.get(1).headers().isEmpty()).isTrue();
    }

    /**
     * A journal as denormq wrote it before headers existed: marker version 1 and version-1 records
     * only (a batch without headers is that layout byte for byte, JournalRecordDescriptorTest), with
     * unprocessed messages. It opens, replays, and is raised to version 2 only when a header is written.
     */
    @Test
    void shouldOpenAndReplayAVersionOneJournalAndRaiseItsMarkerOnlyWhenHeadersAreWritten() throws Exception {
        DenormQueue old = open(builder().handler("h", message -> {
            throw new IllegalStateException("not processed before the upgrade");
        }).retry(RetryPolicy.of(1_000_000, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1)))
                .shutdownTimeout(java.time.Duration.ofMillis(200)));
        old.publish("orders", "c-1", utf8("written before headers"));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            old.publish("orders", "c-2", utf8("also before headers"));
            tx.commit(() -> { });
        }
        assertThat(recordVersions(old)).allMatch(kind -> kind.endsWith(" v1"));
        old.close();
        assertThat(marker()).isEqualTo("denormq-journal-format=1");

        DenormQueue upgraded = open(builder().handler("h", recording()));
        awaitProcessed(upgraded);
        assertThat(seen).extracting(Seen::payload).containsExactly("written before headers", "also before headers");
        assertThat(marker()).as("opening does not lock older versions out").isEqualTo("denormq-journal-format=1");

        upgraded.publish("orders", "c-1", utf8("with headers"), TRACE);
        assertThat(marker()).isEqualTo("denormq-journal-format=2");
        awaitProcessed(upgraded);
        assertThat(seen.get(2).traceparent()).isEqualTo(TRACE.get("traceparent"));
    }

    @Test
    void shouldAddHeadersFromPublishInterceptorsInOrderAndKeepTheGivenOnes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DenormQueue queue = open(builder().handler("h", recording())
                .publishInterceptor((topic, key, headers) -> headers.with("n", String.valueOf(calls.incrementAndGet())))
                .publishInterceptor((topic, key, headers) -> headers.with("seen-n", headers.get("n") + "@" + topic)));
        queue.publish("orders", "c-1", utf8("bytes"));
        queue.publish("orders", "c-1", utf8("given"), Headers.of("given", "yes"));
        awaitProcessed(queue);
        assertThat(seen.get(0).headers()).isEqualTo(Headers.of("n", "1").with("seen-n", "1@orders"));
        assertThat(seen.get(1).headers()).isEqualTo(Headers.of("given", "yes").with("n", "2").with("seen-n", "2@orders"));
    }

    @Test
    void shouldRefuseHeadersOverTheLimitsWithNothingPublished() throws Exception {
        assertThatThrownBy(() -> Headers.of("", "v")).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("name must not be null or empty");
        assertThatThrownBy(() -> Headers.of("n", null)).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("Header 'n' has a null value");
        assertThatThrownBy(() -> Headers.of("n".repeat(Headers.MAX_NAME_BYTES + 1), "v"))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("over the limit of 256");
        assertThat(Headers.of("n".repeat(Headers.MAX_NAME_BYTES), "v".repeat(Headers.MAX_VALUE_BYTES)).size()).isOne();
        assertThatThrownBy(() -> Headers.of("n", "ü".repeat(Headers.MAX_VALUE_BYTES / 2 + 1)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("The value of header 'n' is 4098 UTF-8 bytes");
        Headers full = Headers.empty();
        for (int i = 0; i < Headers.MAX_HEADERS; i++) {
            full = full.with("h" + i, "v");
        }
        Headers max = full;
        assertThatThrownBy(() -> max.with("one-more", "v")).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("at most 32 headers");
        assertThat(max.with("h0", "replaced").get("h0")).isEqualTo("replaced");
        assertThat(Headers.of("a", "1").withAll(Headers.of("b", "2").with("a", "3")))
                .isEqualTo(Headers.of("a", "3").with("b", "2"));
        assertThatThrownBy(() -> max.withAll(Headers.of("one-more", "v"))).isInstanceOf(InvalidMessageException.class);

        DenormQueue queue = open(builder().handler("h", recording()).maxPayloadBytes(10)
                .publishInterceptor((topic, key, headers) -> {
                    if (key == null) {
                        throw new InvalidMessageException("a key is required to trace");
                    }
                    return headers;
                }));
        assertThatThrownBy(() -> queue.publish("orders", null, utf8("x"), TRACE))
                .isInstanceOf(InvalidMessageException.class).hasMessage("a key is required to trace");
        assertThatThrownBy(() -> queue.publish("orders", "k", utf8("too large payload"), TRACE))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("over the limit of 10 bytes");
        queue.publish("orders", "k", utf8("ok"), max);
        awaitProcessed(queue);
        assertThat(seen).extracting(Seen::payload).containsExactly("ok");
        assertThat(seen.get(0).headers()).isEqualTo(max);
    }

    @Test
    void shouldKeepHeadersInCopiesDeadLettersAndRedrives() throws Exception {
        List<Message> copies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger(3);
        DenormQueue queue = open(builder().handler("h", message -> {
            copies.add(message.copy());
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("bug");
            }
            seen.add(new Seen(message.payload(Codecs.utf8()), message.headers(), message.header("traceparent"),
                    message.redelivered()));
        }));
        queue.publish("orders", "c-1", utf8("poison"), TRACE);
        awaitProcessed(queue);
        assertThat(copies.get(0).headers()).isEqualTo(TRACE);
        assertThat(copies.get(0).header("traceparent")).isEqualTo(TRACE.get("traceparent"));
        DeadLetter deadLetter = queue.deadLetters().get(0);
        assertThat(deadLetter.headers()).isEqualTo(TRACE);

        queue.redrive(deadLetter);
        awaitProcessed(queue);
        assertThat(seen).singleElement().satisfies(redriven -> {
            assertThat(redriven.payload()).isEqualTo("poison");
            assertThat(redriven.headers()).isEqualTo(TRACE);
        });
    }

    private String marker() throws Exception {
        return Files.readString(journalDir.resolve(JournalFormat.FILE_NAME)).trim();
    }

    /** Each record's kind and version byte, in journal order. */
    private static List<String> recordVersions(DenormQueue queue) {
        List<String> versions = new ArrayList<>();
        try (ExcerptTailer tailer = ((DefaultDenormQueue) queue).journal().createTailer()) {
            tailer.toStart();
            while (true) {
                try (DocumentContext context = tailer.readingDocument()) {
                    if (!context.isPresent()) {
                        return versions;
                    }
                    Bytes<?> bytes = context.wire().bytes();
                    versions.add(JournalRecordDescriptor.kindName(bytes.readByte(bytes.readPosition()))
                            + " v" + bytes.readByte(bytes.readPosition() + JournalRecordDescriptor.VERSION_OFFSET));
                }
            }
        }
    }
}
