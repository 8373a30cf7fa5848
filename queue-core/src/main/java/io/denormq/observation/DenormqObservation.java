package io.denormq.observation;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueueBuilder;
import io.denormq.HandlerInterceptor;
import io.denormq.Headers;
import io.denormq.Message;
import io.denormq.MessageHandler;
import io.denormq.PublishInterceptor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;

/**
 * Traces that cross the commit, with Micrometer Observation (an optional dependency: only this
 * package refers to it, so a queue without it never loads a Micrometer class).
 *
 * <ul>
 *   <li><b>Publish.</b> Each {@code publish} runs a short {@value #PUBLISH} observation of kind
 *       {@link Kind#PRODUCER}, child of the publisher's current observation (the HTTP request, say),
 *       whose {@link SenderContext} propagates into the message's {@link Headers}: with Micrometer
 *       Tracing that writes the W3C {@code traceparent} (and whatever else the tracer propagates).
 *       The headers are journaled with the message, so they survive a crash and a restart.</li>
 *   <li><b>Handle.</b> Each handler invocation runs in a {@value #HANDLE} observation of kind
 *       {@link Kind#CONSUMER} whose {@link ReceiverContext} reads those headers: the handler's span
 *       continues the publisher's trace, as a child of the publish span, also when the message is
 *       replayed after a restart or redriven as a dead letter. Tagged with the low-cardinality keys
 *       {@value #HANDLER_TAG} (the handler's name) and {@value #TOPIC_TAG}; a failure of the handler is
 *       the observation's error.</li>
 * </ul>
 *
 * <pre>{@code
 * DenormQueue queue = DenormqObservation.of(observationRegistry)
 *         .applyTo(DenormQueue.builder(journalDir).handler("totals", totals))
 *         .build();
 * }</pre>
 *
 * <p><b>Cost.</b> With {@link ObservationRegistry#NOOP} (or a registry without handlers, which
 * Micrometer treats as a no-op) {@link #applyTo} configures nothing: publishing and dispatch are what
 * they are without observation. Otherwise each publish and each handler invocation costs an
 * observation (a few small allocations, plus what the tracer does), and a message with a trace
 * context carries its {@code traceparent} in the journal (about 80 bytes with its name and lengths).
 * Spring Boot applications get this from the auto-configuration whenever an
 * {@code ObservationRegistry} bean exists.
 */
public final class DenormqObservation implements PublishInterceptor, HandlerInterceptor {
    /** Name of the observation around each publish. */
    public static final String PUBLISH = "denormq.publish";
    /** Name of the observation around each handler invocation. */
    public static final String HANDLE = "denormq.handle";
    /** Low-cardinality key: the handler's name (on {@value #HANDLE}). */
    public static final String HANDLER_TAG = "denormq.handler";
    /** Low-cardinality key: the message's topic (on both observations). */
    public static final String TOPIC_TAG = "denormq.topic";

    private final ObservationRegistry registry;

    private DenormqObservation(ObservationRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param registry the registry whose handlers (a tracer's among them) observe publishing and handling
     * @return the integration for that registry
     * @throws ConfigurationException if {@code registry} is null
     */
    public static DenormqObservation of(ObservationRegistry registry) {
        if (registry == null) {
            throw new ConfigurationException("observation registry: must not be null; pass ObservationRegistry.NOOP "
                    + "for none, or leave DenormqObservation out");
        }
        return new DenormqObservation(registry);
    }

    /**
     * Registers this as the builder's {@link DenormQueueBuilder#publishInterceptor publish} and
     * {@link DenormQueueBuilder#handlerInterceptor handler} interceptor, unless the registry is a
     * no-op: then the builder is left as it is, and the queue pays nothing.
     *
     * @param builder the queue's builder
     * @return the builder
     */
    public DenormQueueBuilder applyTo(DenormQueueBuilder builder) {
        if (registry.isNoop()) {
            return builder;
        }
        return builder.publishInterceptor(this).handlerInterceptor(this);
    }

    /**
     * Runs the {@value #PUBLISH} observation and returns {@code headers} with what it propagated
     * (unchanged if no handler of the registry propagates anything).
     */
    @Override
    public Headers onPublish(String topic, String key, Headers headers) {
        HeaderCarrier carrier = new HeaderCarrier(headers);
        SenderContext<HeaderCarrier> context = new SenderContext<>(HeaderCarrier::set, Kind.PRODUCER);
        context.setCarrier(carrier);
        Observation observation = Observation.createNotStarted(PUBLISH, () -> context, registry)
                .contextualName(topic + " publish")
                .lowCardinalityKeyValue(TOPIC_TAG, topic);
        observation.start(); // the tracer injects the new span's context into the carrier here
        observation.stop();
        return carrier.headers;
    }

    /** Runs the handler in a {@value #HANDLE} observation continuing the trace in the message's headers. */
    @Override
    public void invoke(String handlerName, Message message, MessageHandler handler) throws Exception {
        ReceiverContext<Message> context = new ReceiverContext<>(Message::header, Kind.CONSUMER);
        context.setCarrier(message);
        Observation.createNotStarted(HANDLE, () -> context, registry)
                .contextualName(handlerName + " handle")
                .lowCardinalityKeyValue(HANDLER_TAG, handlerName)
                .lowCardinalityKeyValue(TOPIC_TAG, message.topic())
                .highCardinalityKeyValue("denormq.message.id", Long.toHexString(message.id()))
                .observeChecked(() -> handler.onMessage(message));
    }

    /** The propagation carrier on the publishing side: the message's headers, growing as the tracer sets them. */
    private static final class HeaderCarrier {
        private Headers headers;

        HeaderCarrier(Headers headers) {
            this.headers = headers;
        }

        void set(String name, String value) {
            headers = headers.with(name, value);
        }
    }
}
