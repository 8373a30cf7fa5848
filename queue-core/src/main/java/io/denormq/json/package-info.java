/**
 * JSON payloads on Jackson: {@link io.denormq.PayloadCodec}s for
 * {@link io.denormq.DenormQueueBuilder#codec}, one per Jackson generation. {@link Jackson3Codec}
 * uses Jackson 3 ({@code tools.jackson.databind}, Spring Boot 4's default) and {@link Jackson2Codec}
 * Jackson 2 ({@code com.fasterxml.jackson.databind}, Spring Boot 3's). Jackson is an optional
 * dependency of denormq-core: the application brings the generation it uses, and no Jackson class is
 * loaded unless one of these codecs is created.
 *
 * <pre>{@code
 * DenormQueue queue = DenormQueue.builder(dir)
 *         .codec(Jackson3Codec.of(jsonMapper))      // or Jackson2Codec.of(objectMapper)
 *         .handler("totals", m -> totals.add(m.payload(OrderPlaced.class)))
 *         .build();
 * queue.publish("order-placed", order.customerId(), new OrderPlaced(order.id(), order.total()));
 * }</pre>
 */
package io.denormq.json;
