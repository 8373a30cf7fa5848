package io.denormq.observation;

import java.util.List;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * A real tracer for tests: Micrometer Tracing bridged to the OpenTelemetry SDK, W3C trace-context
 * propagation, every span sampled and exported as it ends into memory; and an
 * {@link ObservationRegistry} wired to it the way Spring Boot wires one (propagating sender and
 * receiver handlers first, then the default tracing handler).
 */
public final class InMemoryTracing implements AutoCloseable {
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    private final Tracer tracer;
    private final ObservationRegistry registry = ObservationRegistry.create();

    public InMemoryTracing() {
        io.opentelemetry.api.trace.Tracer otelTracer = provider.get("denormq-test");
        OtelCurrentTraceContext context = new OtelCurrentTraceContext();
        tracer = new OtelTracer(otelTracer, context, event -> { }, new OtelBaggageManager(context, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()),
                otelTracer);
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
    }

    /** @return the registry that traces every observation */
    public ObservationRegistry registry() {
        return registry;
    }

    /** @return the tracer, for reading the current span */
    public Tracer tracer() {
        return tracer;
    }

    /** @return the spans ended so far, in the order they ended */
    public List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    /** @return the one ended span of that name */
    public SpanData span(String name) {
        List<SpanData> named = spans().stream().filter(s -> s.getName().equals(name)).toList();
        if (named.size() != 1) {
            throw new AssertionError("expected one span named '" + name + "', found " + spans());
        }
        return named.get(0);
    }

    /** Forgets the spans ended so far. */
    public void reset() {
        exporter.reset();
    }

    @Override
    public void close() {
        provider.close();
    }
}
