package io.denormq;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The built-in {@link Codec}s.
 */
public final class Codecs {
    private static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes, int offset, int length) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Codecs.utf8()";
        }
    };

    private static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes, int offset, int length) {
            return Arrays.copyOfRange(bytes, offset, offset + length);
        }

        @Override
        public String toString() {
            return "Codecs.bytes()";
        }
    };

    private Codecs() {
    }

    /** @return a codec for strings as UTF-8 bytes */
    public static Codec<String> utf8() {
        return UTF8;
    }

    /** @return the identity codec for byte arrays (decoding returns a copy) */
    public static Codec<byte[]> bytes() {
        return BYTES;
    }
}
