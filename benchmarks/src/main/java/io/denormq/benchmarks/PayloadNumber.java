package io.denormq.benchmarks;

import io.denormq.Codec;

/**
 * A message's number carried in the first eight bytes of its payload (little-endian), so that the
 * harnesses can match each delivery or Kafka record to the commit that sent it. The publisher writes
 * the number into its payload buffer directly; {@link #CODEC} reads it back in place.
 */
final class PayloadNumber {
    /** Payloads carrying a number are at least this long. */
    static final int BYTES = Long.BYTES;
    /** Decodes the number of a message's payload; it cannot encode (publishers {@link #write} instead). */
    static final Codec<Long> CODEC = new NumberCodec();

    private PayloadNumber() {
    }

    /** Writes {@code number} into the first {@link #BYTES} bytes of {@code payload}. */
    static void write(byte[] payload, long number) {
        for (int b = 0; b < BYTES; b++) {
            payload[b] = (byte) (number >>> (8 * b));
        }
    }

    /** @return the number {@link #write} put at {@code offset} of {@code bytes} */
    static long read(byte[] bytes, int offset) {
        long number = 0;
        for (int b = 0; b < BYTES; b++) {
            number |= (bytes[offset + b] & 0xFFL) << (8 * b);
        }
        return number;
    }

    private static final class NumberCodec implements Codec<Long> {
        @Override
        public byte[] encode(Long value) {
            throw new UnsupportedOperationException("the publisher writes the number into its payload directly");
        }

        @Override
        public Long decode(byte[] bytes, int offset, int length) {
            return read(bytes, offset);
        }
    }
}
