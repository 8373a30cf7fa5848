package io.denormq.recovery.demo;

import java.nio.ByteBuffer;

import io.denormq.Codec;

/**
 * The demo's message: an order was placed for a customer (the message key).
 *
 * @param orderId the order's id
 * @param amount  the order's amount, in cents
 */
public record OrderPlaced(long orderId, int amount) {
    /** Topic of the message. */
    public static final String TOPIC = "order-placed";

    /** Encodes an order as 12 bytes: id, amount. */
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
