package io.denormq.recovery.demo;

import java.nio.ByteBuffer;

import io.denormq.Codec;

/**
 * The demo's message: an order was placed. The customer is the message's key.
 *
 * @param orderId the order's id
 * @param amount  the order's amount, in cents
 */
public record OrderPlaced(long orderId, int amount) {
    /** The topic the demo publishes to. */
    public static final String TOPIC = "order-placed";

    /** Encodes an order as 12 bytes: the id, then the amount. */
    public static final Codec<OrderPlaced> CODEC = new Codec<>() {
        @Override
        public byte[] encode(OrderPlaced value) {
            return ByteBuffer.allocate(12).putLong(value.orderId).putInt(value.amount).array();
        }

        @Override
        public OrderPlaced decode(byte[] bytes, int offset, int length) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            return new OrderPlaced(buffer.getLong(), buffer.getInt());
        }
    };
}
