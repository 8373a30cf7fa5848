package io.denormq.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Headers;
import io.denormq.RetryPolicy;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces that cross the commit, with a real tracer (Micrometer Tracing on the OpenTelemetry SDK):
 * the publish span is a child of the publisher's span, the message carries its W3C traceparent
 * through the journal, and the handler runs in a span continuing it, live and after a restart.
 */
class DenormqObservationTest {
    @TempDir
    Path dir;
    private final InMemoryTracing tracing = new InMemoryTracing();
    private final List<String> handlerTraceIds = new CopyOnWriteArrayList<>();
    private final List<String> traceparents = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeTracer() {
        tracing.close();
    }

    private DenormQueueBuilder builder(ObservationRegistry registry) {
        return DenormqObservation.of(registry).applyTo(DenormQueue.builder(dir.resolve("journal"))
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("totals", message -> {
                    Span current = tracing.tracer().currentSpan();
                    handlerTraceIds.add(current == null ? "none" : current.context().traceId());
                    traceparents.add(String.valueOf(message.header("traceparent")));
                    if (new String(message.payload(), StandardCharsets.UTF_8).equals("poison")) {
                        throw new IllegalStateException("cannot total this order");
                    }
                }));
    }

    /** Publishes one message in a transaction, inside a "request" observation, and returns that span's trace id. */
    private String publishInRequest(DenormQueue queue, String payload) throws Exception {
        Observation request = Observation.start("request", tracing.registry());
        try (Observation.Scope scope = request.openScope()) {
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                queue.publish("orders", "c-1", payload.getBytes(StandardCharsets.UTF_8), Headers.of("tenant", "acme"));
                tx.commit(() -> { });
            }
            return tracing.tracer().currentSpan().context().traceId();
        } finally {
            request.stop();
        }
    }

    @Test
    void shouldContinueThePublishersTraceInTheHandlerWithHandlerAndTopicTags() throws Exception {
        String traceId;
        try (DenormQueue queue = builder(tracing.registry()).build()) {
            traceId = publishInRequest(queue, "order 1");
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        }
        SpanData request = tracing.span("request");
        SpanData publish = tracing.span("orders publish");
        SpanData handle = tracing.span("totals handle");
        assertThat(List.of(request, publish, handle)).extracting(SpanData::getTraceId).containsOnly(traceId);
        assertThat(publish.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(handle.getParentSpanId()).as("the handler continues the publish span").isEqualTo(publish.getSpanId());
        assertThat(handle.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(handle.getAttributes().get(AttributeKey.stringKey(DenormqObservation.HANDLER_TAG))).isEqualTo("totals");
        assertThat(handle.getAttributes().get(AttributeKey.stringKey(DenormqObservation.TOPIC_TAG))).isEqualTo("orders");
        assertThat(handlerTraceIds).as("the handler runs inside the span").containsExactly(traceId);
        assertThat(traceparents).singleElement().asString()
                .isEqualTo("00-" + traceId + "-" + publish.getSpanId() + "-01");
    }

    @Test
    void shouldContinueTheOriginalTraceWhenTheMessageIsReplayedAfterARestart() throws Exception {
        String traceId;
        try (DenormQueue queue = builder(tracing.registry()).build()) {
            traceId = publishInRequest(queue, "order 1");
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        }
        String publishSpanId = tracing.span("orders publish").getSpanId();
        tracing.reset();
        handlerTraceIds.clear();

        try (DenormQueue restarted = builder(tracing.registry()).rebuild("totals").build()) {
            assertThat(restarted.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        }
        SpanData replayed = tracing.span("totals handle");
        assertThat(replayed.getTraceId()).isEqualTo(traceId);
        assertThat(replayed.getParentSpanId()).isEqualTo(publishSpanId);
        assertThat(handlerTraceIds).containsExactly(traceId);
    }

    @Test
    void shouldRecordAHandlersFailureOnItsSpanAndKeepTheTraceInTheDeadLetter() throws Exception {
        try (DenormQueue queue = builder(tracing.registry()).build()) {
            String traceId = publishInRequest(queue, "poison");
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            List<SpanData> attempts = tracing.spans().stream().filter(s -> s.getName().equals("totals handle")).toList();
            assertThat(attempts).as("one span per attempt").hasSize(2).allSatisfy(span -> {
                assertThat(span.getTraceId()).isEqualTo(traceId);
                assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            });
            assertThat(queue.deadLetters()).singleElement().satisfies(deadLetter -> {
                assertThat(deadLetter.headers().get("traceparent")).contains(traceId);
                assertThat(deadLetter.headers().get("tenant")).isEqualTo("acme");
            });
        }
    }

    @Test
    void shouldAddNothingWithTheNoopRegistry() throws Exception {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DenormqObservation.of(null))
                .isInstanceOf(io.denormq.ConfigurationException.class).hasMessageContaining("ObservationRegistry.NOOP");
        try (DenormQueue queue = builder(ObservationRegistry.NOOP).build()) {
            queue.publish("orders", "c-1", "order 1".getBytes(StandardCharsets.UTF_8));
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(traceparents).containsExactly("null");
        assertThat(tracing.spans()).isEmpty();
        assertThat(Files.readString(dir.resolve("journal").resolve(JournalFormat.FILE_NAME)).trim())
                .as("no header was written").isEqualTo("denormq-journal-format=1");
    }
}
