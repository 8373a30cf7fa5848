package io.denormq.tx.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.MessageHandler;
import io.denormq.observation.DenormqObservation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * One trace from the HTTP request through the commit to the handler, with the tracer Spring Boot
 * configures (Micrometer Tracing on OpenTelemetry, W3C propagation, every span sampled) and an
 * in-memory exporter: a real embedded Tomcat, a {@code @Transactional} service that inserts an H2 row
 * and publishes, and a handler bean. The auto-configuration applies the application's
 * {@code ObservationRegistry} to the queue; nothing in the application mentions tracing.
 *
 * <p>One subclass per Spring Boot generation, each naming the generation it expects:
 * {@code TracingWebApplicationTest} (Boot 3.5, here) and {@code Boot4TracingWebApplicationTest}
 * ({@code boot4-tests}, with Boot 4's tracing auto-configuration module).
 */
public abstract class TracingWebApplicationContract {
    /** The trace the HTTP client started: the server continues it, and so must the handler. */
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN_ID = "00f067aa0ba902b7";

    /** @return the Spring Boot major version this test must run on (3 or 4) */
    protected abstract int bootGeneration();

    @Test
    void shouldContinueTheRequestsTraceInTheHandlerAndAgainWhenItIsReplayedAfterARestart() throws Exception {
        assertThat(org.springframework.boot.SpringBootVersion.getVersion()).as("Spring Boot version on the classpath")
                .startsWith(bootGeneration() + ".");
        Path journalDir = Files.createTempDirectory("denormq-tracing").resolve("journal");
        String publishSpanId;
        try (ConfigurableApplicationContext context = start(journalDir, false)) {
            ShopApplication shop = context.getBean(ShopApplication.class);
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/orders/7"))
                    .header("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(context.getBean(DenormQueue.class).awaitProcessed(Duration.ofSeconds(30))).isTrue();
            // the server's span ends after the response went out, so it may end after the client has it
            List<SpanData> spans = flushedSpansOnce(context,
                    all -> all.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER));

            SpanData server = single(spans, SpanKind.SERVER, "http post /orders/{id}");
            SpanData publish = single(spans, SpanKind.PRODUCER, "order-placed publish");
            SpanData handle = single(spans, SpanKind.CONSUMER, "order-view handle");
            assertThat(List.of(server, publish, handle)).extracting(SpanData::getTraceId).containsOnly(TRACE_ID);
            assertThat(server.getParentSpanId()).isEqualTo(CLIENT_SPAN_ID);
            assertThat(ancestors(spans, handle)).as("the handler's parent chain leads back to the request")
                    .startsWith(publish.getSpanId()).contains(server.getSpanId()).endsWith(CLIENT_SPAN_ID);
            assertThat(handle.getAttributes().get(AttributeKey.stringKey(DenormqObservation.HANDLER_TAG)))
                    .isEqualTo("order-view");
            assertThat(handle.getAttributes().get(AttributeKey.stringKey(DenormqObservation.TOPIC_TAG)))
                    .isEqualTo("order-placed");
            assertThat(shop.handlerTraceIds).as("the handler ran in the request's trace").containsExactly(TRACE_ID);
            assertThat(context.getBean(JdbcTemplate.class).queryForObject("select count(*) from order_view", Long.class))
                    .isOne();
            publishSpanId = publish.getSpanId();
        }

        // A new process on the same journal replays the message (a rebuild): the header is durable.
        try (ConfigurableApplicationContext restarted = start(journalDir, true)) {
            assertThat(restarted.getBean(DenormQueue.class).awaitProcessed(Duration.ofSeconds(30))).isTrue();
            SpanData replayed = single(flushedSpans(restarted), SpanKind.CONSUMER, "order-view handle");
            assertThat(replayed.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(replayed.getParentSpanId()).isEqualTo(publishSpanId);
            assertThat(restarted.getBean(ShopApplication.class).handlerTraceIds).containsExactly(TRACE_ID);
        }
    }

    private static ConfigurableApplicationContext start(Path journalDir, boolean rebuild) {
        return new SpringApplicationBuilder(ShopApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "denormq.journal-dir=" + journalDir, "spring.main.banner-mode=off",
                        "management.tracing.sampling.probability=1.0", "shop.rebuild=" + rebuild,
                        "spring.datasource.url=jdbc:h2:mem:tracing-" + rebuild + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1")
                .run();
    }

    /** Every span ended so far: Boot exports through a batching processor, flushed here. */
    private static List<SpanData> flushedSpans(ConfigurableApplicationContext context) {
        context.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);
        return context.getBean(InMemorySpanExporter.class).getFinishedSpanItems();
    }

    /** Flushes until {@code done} holds for the spans ended so far, for up to 10 s; then returns them as they are. */
    private static List<SpanData> flushedSpansOnce(ConfigurableApplicationContext context,
                                                   java.util.function.Predicate<List<SpanData>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<SpanData> spans = flushedSpans(context);
        while (!done.test(spans) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            spans = flushedSpans(context);
        }
        return spans;
    }

    private static SpanData single(List<SpanData> spans, SpanKind kind, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getKind() == kind && s.getName().equals(name)).toList();
        assertThat(found).as("%s spans named '%s' among %s", kind, name, spans).hasSize(1);
        return found.get(0);
    }

    /** The span ids from a span's parent up to the first one that is not among the spans (the client's). */
    private static List<String> ancestors(List<SpanData> spans, SpanData span) {
        Map<String, SpanData> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.getSpanId(), s));
        List<String> chain = new CopyOnWriteArrayList<>();
        for (SpanData at = span; at != null; at = byId.get(at.getParentSpanId())) {
            chain.add(at.getParentSpanId());
        }
        return chain;
    }

    /** A shop as a user writes it; the exporter bean stands in for the one that would ship spans to a backend. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ShopApplication {
        final List<String> handlerTraceIds = new CopyOnWriteArrayList<>();

        @Bean
        InMemorySpanExporter spanExporter() {
            return InMemorySpanExporter.create();
        }

        @Bean
        OrderService orderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            jdbc.execute("create table if not exists orders(id bigint primary key)");
            jdbc.execute("create table if not exists order_view(order_id bigint not null)");
            return new OrderService(jdbc, queue);
        }

        @Bean
        OrderController orderController(OrderService orders) {
            return new OrderController(orders);
        }

        @Bean
        @DenormqHandler("order-view")
        MessageHandler orderView(JdbcTemplate jdbc, Tracer tracer) {
            return message -> {
                Span current = tracer.currentSpan();
                handlerTraceIds.add(current == null ? "none" : current.context().traceId());
                jdbc.update("insert into order_view values (?)", Long.parseLong(message.payload(Codecs.utf8())));
            };
        }

        /** Only for the restart: the new process replays the journal into the read model. */
        @Bean
        DenormQueueBuilderCustomizer rebuildOnRequest(org.springframework.core.env.Environment environment) {
            return builder -> {
                if (environment.getProperty("shop.rebuild", Boolean.class, false)) {
                    builder.rebuild("order-view");
                }
            };
        }
    }

    @RestController
    static class OrderController {
        private final OrderService orders;

        OrderController(OrderService orders) {
            this.orders = orders;
        }

        @PostMapping("/orders/{id}")
        String place(@PathVariable("id") long id) {
            orders.place(id);
            return Long.toString(id);
        }
    }

    static class OrderService {
        private final JdbcTemplate jdbc;
        private final ObjectProvider<DenormQueue> queue;

        OrderService(JdbcTemplate jdbc, ObjectProvider<DenormQueue> queue) {
            this.jdbc = jdbc;
            this.queue = queue;
        }

        @Transactional
        public void place(long id) {
            jdbc.update("insert into orders values (?)", id);
            queue.getObject().publish("order-placed", "customer-1", Long.toString(id), Codecs.utf8());
        }
    }
}
