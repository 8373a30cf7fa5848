package io.denormq.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.DenormQueue;
import io.denormq.Headers;
import io.denormq.observation.DenormqObservation;
import io.denormq.observation.InMemoryTracing;
import io.denormq.tx.ProgrammaticTransactions;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

/**
 * The README's tracing example, compiled and run with a real tracer (Micrometer Tracing on
 * OpenTelemetry): a request's trace continues in the handler, through the journal.
 */
class TracingExample {

    @Test
    void continuesTheRequestsTraceInTheHandler() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-tracing-example").resolve("journal");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (InMemoryTracing tracing = new InMemoryTracing()) {
            ObservationRegistry registry = tracing.registry();

            // tag::example[]
            DenormQueue queue = DenormqObservation.of(registry)        // your application's ObservationRegistry
                    .applyTo(DenormQueue.builder(journalDir)
                            .handler("customer-totals", message -> {
                                // runs in a "denormq.handle" span continuing the publisher's trace
                                seen.add(message.header("tenant") + " " + message.header("traceparent"));
                            }))
                    .build();

            Observation request = Observation.start("place-order", registry); // e.g. the HTTP request's
            try (Observation.Scope scope = request.openScope();
                 Connection connection = DriverManager.getConnection("jdbc:h2:mem:tracing-example")) {
                ProgrammaticTransactions.run(connection, c -> {
                    // insert the order with c, then (the traceparent header is added for you):
                    queue.publish("order-placed", "customer-42", "order 1".getBytes(StandardCharsets.UTF_8),
                            Headers.of("tenant", "acme"));
                    return null;
                });
            } finally {
                request.stop();
            }
            // end::example[]
            try {
                assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
                String traceId = tracing.span("place-order").getTraceId();
                assertThat(seen).singleElement().asString().startsWith("acme 00-" + traceId + "-");
                assertThat(tracing.span("customer-totals handle").getTraceId()).isEqualTo(traceId);
            } finally {
                queue.close();
            }
        }
    }
}
